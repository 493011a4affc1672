// The sliding-window player: the frames of book.layers.window_frames
// (a kernel stepping over an image, stride 1, no padding), computed here so the
// page needs no kernel, and drawn as SVG with every number written in its cell.

// Whole numbers without decimals, others with four: Python's `number()`.
function number(x) {
  return Number.isInteger(x) ? String(x + 0) : fixed4(x);
}

function windowFrame(image, kernel, index) {
  const [H, W] = image.shape;
  const [kh, kw] = kernel.shape;
  const width = W - kw + 1;
  const count = (H - kh + 1) * width;
  const output = new Array(count).fill(null);
  let products = [];
  for (let step = 0; step <= index; step += 1) {
    const row = Math.floor(step / width);
    const col = step % width;
    products = [];
    for (let i = 0; i < kh; i += 1) {
      for (let j = 0; j < kw; j += 1) {
        products.push(image.data[(row + i) * W + col + j] * kernel.data[i * kw + j] + 0);
      }
    }
    output[step] = products.reduce((a, b) => a + b, 0);
  }
  const row = Math.floor(index / width);
  const col = index % width;
  return { index, count, row, col, products, total: output[index], output, kh, kw, width };
}

// Python's WindowFrame.summary(), word for word.
function frameSummary(f) {
  const rows = [];
  for (let i = 0; i < f.kh; i += 1) {
    rows.push(f.products.slice(i * f.kw, (i + 1) * f.kw).map(number).join(", "));
  }
  return (
    `position ${f.index + 1} of ${f.count}: window at row ${f.row}, column ${f.col}; ` +
    `products [${rows.join("; ")}]; their sum ${number(f.total)} fills output ` +
    `(${f.row}, ${f.col})`
  );
}

// One grid of numbered cells at (x0, y0); `fill(i, j)` colours a cell.
function drawGrid(svg, { x0, y0, rows, cols, label, text, fill, cls }) {
  svg.append(element("text", { x: x0 + cols / 2, y: y0 - 0.35, class: "grid-label", text: label }));
  for (let i = 0; i < rows; i += 1) {
    for (let j = 0; j < cols; j += 1) {
      const shown = text(i, j);
      svg.append(
        element("rect", { x: x0 + j, y: y0 + i, width: 1, height: 1, fill: fill(i, j), class: "cell" }),
        element("text", { x: x0 + j + 0.5, y: y0 + i + 0.68, class: `index ${cls}`, text: shown }),
      );
    }
  }
}

function drawFrame(svg, image, kernel, f, palette) {
  const [H, W] = image.shape;
  const outRows = f.count / f.width;
  const gap = 1;
  const xKernel = W + gap;
  const xProducts = xKernel + f.kw + gap;
  const xOutput = xProducts + f.kw + gap;
  const width = xOutput + f.width;
  svg.replaceChildren();
  svg.setAttribute("viewBox", `-0.2 -1 ${width + 0.4} ${Math.max(H, f.kh, outRows) + 1.2}`);
  const inWindow = (i, j) =>
    i >= f.row && i < f.row + f.kh && j >= f.col && j < f.col + f.kw;
  const grey = (v) => {
    // Bright pixels light, dark ones grey: black numbers stay legible on both.
    const level = Math.round(150 + 105 * Math.min(1, Math.max(0, v)));
    return `rgb(${level}, ${level}, ${level})`;
  };
  drawGrid(svg, {
    x0: 0, y0: 0, rows: H, cols: W, label: "image", cls: "pixel",
    text: (i, j) => number(image.data[i * W + j]),
    fill: (i, j) => grey(image.data[i * W + j]),
  });
  svg.append(element("rect", {
    x: f.col, y: f.row, width: f.kw, height: f.kh, fill: "none", class: "window-outline",
    stroke: palette.orange,
  }));
  drawGrid(svg, {
    x0: xKernel, y0: 0, rows: f.kh, cols: f.kw, label: "kernel", cls: "weight",
    text: (i, j) => number(kernel.data[i * f.kw + j]), fill: () => "#ffffff",
  });
  drawGrid(svg, {
    x0: xProducts, y0: 0, rows: f.kh, cols: f.kw, label: "products", cls: "product",
    text: (i, j) => number(f.products[i * f.kw + j]), fill: () => "#ffffff",
  });
  drawGrid(svg, {
    x0: xOutput, y0: 0, rows: outRows, cols: f.width, label: "output", cls: "out",
    text: (i, j) => {
      const v = f.output[i * f.width + j];
      return v === null ? "" : number(v);
    },
    fill: (i, j) => (i * f.width + j === f.index ? palette.orange : "#ffffff"),
  });
  // What the figure shows, for the tests that compare it with Python.
  svg.values = { products: f.products, output: f.output };
}

function button(label, onClick) {
  return element("button", {
    type: "button", class: "explorer-button", "aria-label": label, onclick: onClick, text: label,
  });
}

function render({ model, el }) {
  const palette = model.get("palette");
  const image = decodeFloat32(model.get("image"));
  const kernel = decodeFloat32(model.get("kernel"));
  const count = model.get("count");
  const text = element("p", { class: "explorer-summary", "aria-live": "polite" });
  const svg = element("svg", { role: "img", class: "explorer-figure sliding-window" });
  const position = slider("window position", { min: 1, max: count, value: model.get("index") + 1 },
    (value) => store(model, { index: value - 1 }));
  const go = (step) => () => {
    const next = Math.min(count - 1, Math.max(0, model.get("index") + step));
    store(model, { index: next });
  };
  const update = () => {
    const f = windowFrame(image, kernel, model.get("index"));
    position.set(f.index + 1);
    drawFrame(svg, image, kernel, f, palette);
    text.textContent = frameSummary(f);
    svg.setAttribute("aria-label", `Sliding window, ${frameSummary(f)}`);
  };
  model.on("change:index", update);
  prepare(el);
  el.append(
    element("div", { class: "explorer-controls" }, [
      button("previous position", go(-1)),
      position.root,
      button("next position", go(1)),
    ]),
    svg,
    text,
  );
  update();
}

export default { render };
