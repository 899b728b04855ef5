#version 330 core
// One instanced draw of all visible voxels. Per vertex: the prototype mesh
// (a unit cube, or a single point in point mode). Per instance (divisor 1):
// instancePos = world position, instanceData = (v/theta, spike flash, kind).
in vec3 vertexPosition;
in vec3 vertexNormal;
in vec3 instancePos;
in vec3 instanceData;

uniform mat4 modelViewProjection;
uniform float voxelSize;    // edge of a voxel in lattice units
uniform float pointMode;    // 1: draw GL points sized like a voxel
uniform float pointScale;   // viewport height / (2 tan(fov / 2))
// categorical colours, set from ui/colormap.cpp
uniform vec4 spikeColor;
uniform vec4 inputColor;
uniform vec4 hitColor;       // predicted and in the target
uniform vec4 missColor;      // in the target, not predicted
uniform vec4 falseAlarmColor;

out vec3 vColor;
out vec3 vNormal;

// same stops as ui/colormap.cpp (cool-warm, u = v / theta in [-1, 1])
vec3 potentialColor(float u) {
  u = clamp(u, -1.0, 1.0);
  vec3 c0 = vec3(0.23, 0.30, 0.75);
  vec3 c1 = vec3(0.55, 0.69, 0.99);
  vec3 c2 = vec3(0.87, 0.87, 0.87);
  vec3 c3 = vec3(0.96, 0.60, 0.48);
  vec3 c4 = vec3(0.71, 0.02, 0.15);
  if (u < -0.5) return mix(c0, c1, (u + 1.0) * 2.0);
  if (u < 0.0) return mix(c1, c2, (u + 0.5) * 2.0);
  if (u < 0.5) return mix(c2, c3, u * 2.0);
  return mix(c3, c4, (u - 0.5) * 2.0);
}

void main() {
  float value = instanceData.x;
  float flash = instanceData.y;
  int kind = int(instanceData.z + 0.5);
  vec3 color;
  float size = voxelSize;
  if (kind == 0) {
    color = mix(potentialColor(value), spikeColor.rgb, flash);
    size *= 1.0 + 0.3 * flash;
  } else {
    size = 1.4;  // io-plane pixels
    if (kind == 1) color = inputColor.rgb;
    else if (kind == 2) color = hitColor.rgb;
    else if (kind == 3) color = falseAlarmColor.rgb;
    else color = missColor.rgb;
  }
  vColor = color;
  vNormal = vertexNormal;
  vec4 pos = modelViewProjection * vec4(instancePos + vertexPosition * size, 1.0);
  gl_Position = pos;
  gl_PointSize = pointMode > 0.5 ? max(1.5, pointScale * size / pos.w) : 1.0;
}
