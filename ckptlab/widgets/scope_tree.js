// ScopeTree view: rows come from Python; this file only draws them and reports actions.
// Keyboard: Up/Down move, Right opens, Left closes (or goes to the parent), Enter picks,
// Space opens/closes a scope. JupyterLab's shortcuts are suppressed inside the tree.
function render({ model, el }) {
  const tree = document.createElement("div");
  tree.className = "ckptlab-tree";
  tree.setAttribute("role", "tree");
  tree.setAttribute("aria-label", "variables by scope");
  tree.setAttribute("tabindex", "0");
  tree.setAttribute("data-lm-suppress-shortcuts", "true");
  el.appendChild(tree);
  let active = 0;

  const rows = () => model.get("rows");
  const send = (action, row) => model.send({ action, id: row.id });

  function draw() {
    const selected = model.get("selected");
    const found = rows().findIndex((r) => r.id === selected);
    if (found >= 0 && document.activeElement !== tree) active = found;
    active = Math.max(0, Math.min(active, rows().length - 1));
    tree.replaceChildren(...rows().map((row, i) => {
      const item = document.createElement("div");
      item.id = `${model.get("dom_id")}-${i}`;
      item.className = "ckptlab-tree-row" + (i === active ? " active" : "");
      item.setAttribute("role", "treeitem");
      item.setAttribute("aria-level", String(row.depth + 1));
      item.setAttribute("aria-selected", String(row.id === selected));
      item.style.paddingLeft = `${row.depth * 16 + 4}px`;
      const mark = document.createElement("span");
      mark.className = "ckptlab-tree-mark";
      if (row.kind === "scope") {
        item.setAttribute("aria-expanded", String(row.is_open));
        mark.textContent = row.is_open ? "\u25be" : "\u25b8";
        mark.addEventListener("click", (e) => { e.stopPropagation(); send("toggle", row); });
      }
      const name = document.createElement("span");
      name.className = "ckptlab-tree-name";
      name.textContent = row.kind === "scope" ? `${row.name}/` : row.name;
      const detail = document.createElement("span");
      detail.className = "ckptlab-tree-detail";
      detail.textContent = row.kind === "scope" ? `[${row.detail}]` : row.detail;
      item.append(mark, name, detail);
      item.addEventListener("click", () => { active = i; send("pick", row); });
      return item;
    }));
    if (rows().length) tree.setAttribute("aria-activedescendant", `${model.get("dom_id")}-${active}`);
    tree.children[active]?.scrollIntoView({ block: "nearest" });
  }

  tree.addEventListener("keydown", (event) => {
    const all = rows();
    const row = all[active];
    if (!row) return;
    const parent = () => all.findLastIndex((r, i) => i < active && r.depth < row.depth);
    const keys = {
      ArrowDown: () => { active = Math.min(active + 1, all.length - 1); draw(); },
      ArrowUp: () => { active = Math.max(active - 1, 0); draw(); },
      Home: () => { active = 0; draw(); },
      End: () => { active = all.length - 1; draw(); },
      ArrowRight: () => row.kind === "scope" && !row.is_open && send("toggle", row),
      ArrowLeft: () => (row.kind === "scope" && row.is_open) ? send("toggle", row)
        : (parent() >= 0 && ((active = parent()), draw())),
      Enter: () => send("pick", row),
      " ": () => (row.kind === "scope" ? send("toggle", row) : send("pick", row)),
    };
    if (keys[event.key]) {
      event.preventDefault();
      event.stopPropagation();
      keys[event.key]();
    }
  });
  model.on("change:rows", draw);
  model.on("change:selected", draw);
  draw();
}

export default { render };
