// The Natural Earth land TopoJSON files of the `world-atlas` package, bundled as JSON modules.
declare module "world-atlas/land-50m.json" {
  import type { Topology } from "topojson-specification";
  const topology: Topology;
  export default topology;
}
declare module "world-atlas/land-10m.json" {
  import type { Topology } from "topojson-specification";
  const topology: Topology;
  export default topology;
}
