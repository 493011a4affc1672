// Helpers every explorer shares. Each explorer's front end is this file followed
// by its own file (see book/explorers/widget.py): a widget's module is one
// self-contained ES module, because anywidget imports it from a blob URL, from
// which no relative import can resolve.

// The widget state carries tensors as base64 little-endian float32 (see
// export.py); typed arrays use the machine's byte order, little-endian on every
// platform a browser runs on. Values are widened to float64 for the arithmetic.
function decodeFloat32(encoded) {
  const text = atob(encoded.float32);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i += 1) bytes[i] = text.charCodeAt(i);
  return { shape: encoded.shape, data: Float64Array.from(new Float32Array(bytes.buffer)) };
}

// Each widget's module is a separate instance with its own counter, so ids
// get a random prefix too: two explorers on a page never share an id.
const idPrefix = `explorer-${Math.random().toString(36).slice(2, 10)}`;
let explorerIds = 0;
const newId = () => `${idPrefix}-${(explorerIds += 1)}`;

// An element with attributes (properties for `on*`, `text`) and children.
function element(tag, attributes = {}, children = []) {
  const svg = ["svg", "rect", "text", "g", "line", "title"].includes(tag);
  const node = svg
    ? document.createElementNS("http://www.w3.org/2000/svg", tag)
    : document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

// A labelled range input with its value shown beside it; keyboard, touch and
// mouse all come with the native control. `onChange(value)` runs on each input.
function slider(label, { min, max, value }, onChange) {
  const id = newId();
  const input = element("input", { type: "range", id, min, max, step: 1, value: value });
  const shown = element("output", { for: id, text: String(value) });
  input.addEventListener("input", () => {
    shown.textContent = input.value;
    onChange(Number(input.value));
  });
  const root = element("div", { class: "explorer-control" }, [
    element("label", { for: id, text: label }),
    input,
    shown,
  ]);
  const set = (next) => {
    input.value = String(next);
    shown.textContent = String(next);
  };
  return { root, input, set };
}

const CONTROL_KEYS = ["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End",
  "PageUp", "PageDown"];

// Mark a widget's root as an explorer. In JupyterLab the notebook around it
// takes arrow keys for itself and cancels a range input's step, so they stop
// here: the explorer's controls own the keys they move by.
function prepare(el) {
  el.classList.add("book-explorer");
  el.addEventListener("keydown", (event) => {
    if (CONTROL_KEYS.includes(event.key)) event.stopPropagation();
  });
}

// Write a setting to the model: Python sees it live in Jupyter; on a static
// page the model has no kernel behind it and keeps the value locally.
function store(model, changes) {
  // One set call, so that listeners to "change" redraw once for a move in 2-D.
  model.set(changes);
  try {
    model.save_changes();
  } catch (error) {
    // The static widget manager has no comm to send the change on.
    if (!String(error).includes("no comm channel")) throw error;
  }
}

// Python formats with round-half-even on the exact binary value; toFixed rounds
// exact ties away from zero. They differ only on exact ties, fixed here, so the
// page prints the same digits as `f"{x:.4f}"`.
function fixed4(x) {
  const exact = Math.abs(x).toFixed(100);
  const point = exact.indexOf(".");
  const kept = exact.slice(0, point + 5);
  if (/^50*$/.test(exact.slice(point + 5)) && Number(kept.at(-1)) % 2 === 0) {
    return (x < 0 ? "-" : "") + kept;
  }
  return x.toFixed(4);
}

// Fill a canvas with one cell per value; `colour(v)` gives an [r, g, b] triple.
function paintGrid(canvas, values, height, width, colour) {
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext("2d");
  const image = context.createImageData(width, height);
  for (let i = 0; i < values.length; i += 1) {
    const [r, g, b] = colour(values[i]);
    image.data.set([r, g, b, 255], 4 * i);
  }
  context.putImageData(image, 0, 0);
  // What the canvas shows, for the tests that compare it with Python.
  canvas.values = values;
}

// Linear blend between two [r, g, b] colours, t in [0, 1].
function blend(from, to, t) {
  const s = Math.min(1, Math.max(0, t));
  return from.map((c, i) => Math.round(c + (to[i] - c) * s));
}

function hexToRgb(hex) {
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
}
