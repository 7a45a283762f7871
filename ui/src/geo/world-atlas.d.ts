// The Natural Earth land TopoJSON files of the `world-atlas` package, bundled by Vite as assets:
// their address in the built app.
declare module "world-atlas/land-50m.json?url" {
  const url: string;
  export default url;
}
declare module "world-atlas/land-10m.json?url" {
  const url: string;
  export default url;
}
