// Cytoscape.js, exposed as the global `cytoscape`.
import cytoscape from "cytoscape";
export default cytoscape;
