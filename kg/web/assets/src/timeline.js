// vis-timeline's Timeline and vis-data's DataSet, exposed as the global `VisTimeline`.
// The "esnext" builds import their dependencies, so the bundle lists (and licenses) each one.
export { Timeline } from "vis-timeline/esnext";
export { DataSet } from "vis-data/esnext";
