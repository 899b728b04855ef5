#version 330 core
// Outlines of the lattice and of the input / output planes.
in vec3 vertexPosition;
uniform mat4 modelViewProjection;
void main() {
  gl_Position = modelViewProjection * vec4(vertexPosition, 1.0);
}
