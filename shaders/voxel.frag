#version 330 core
in vec3 vColor;
in vec3 vNormal;

uniform float alpha;       // < 1 in transparent mode
uniform float pointMode;

out vec4 fragColor;

void main() {
  float shade = 1.0;
  if (pointMode > 0.5) {
    vec2 d = gl_PointCoord - vec2(0.5);
    float r2 = dot(d, d);
    if (r2 > 0.25) discard;
    shade = 1.0 - 0.8 * r2;            // round, slightly domed points
  } else {
    // fixed light from the upper front; faces stay distinguishable
    vec3 n = normalize(vNormal);
    shade = 0.55 + 0.45 * max(dot(n, normalize(vec3(0.4, 0.7, 0.6))), 0.0);
  }
  fragColor = vec4(vColor * shade, alpha);
}
