// The digit explorer: a digit pasted on a blank canvas at (row, col), as
// book.data.place_on_canvas does, and both models' class probabilities for
// that canvas, computed by the forward pass in forward.js.

function placeDigit(digit, size, row, col) {
  const [h, w] = digit.shape;
  const canvas = new Float64Array(size * size);
  for (let i = 0; i < h; i += 1) {
    for (let j = 0; j < w; j += 1) canvas[(row + i) * size + col + j] = digit.data[i * w + j];
  }
  return canvas;
}

function bars(title, labels, colour) {
  const rows = labels.map((label) => {
    const fill = element("span", { class: "explorer-bar-fill", style: `background: ${colour}` });
    const value = element("span", { class: "explorer-bar-value" });
    const root = element("li", {}, [
      element("span", { class: "explorer-bar-label", text: label }),
      element("span", { class: "explorer-bar" }, [fill]),
      value,
    ]);
    return { root, fill, value };
  });
  // Not a heading: the page's outline is the book's, and themes colour headings.
  const heading = element("p", { class: "explorer-model", text: title });
  const root = element("div", { class: "explorer-probabilities", "data-model": title }, [
    heading, element("ol", {}, rows.map((r) => r.root))]);
  const show = (probabilities) => {
    probabilities.forEach((p, i) => {
      rows[i].fill.style.width = `${(100 * p).toFixed(1)}%`;
      rows[i].value.textContent = `${(100 * p).toFixed(1)}%`;
      // The exact value the bar shows, for the tests that compare it with PyTorch.
      rows[i].root.dataset.probability = String(p);
    });
  };
  return { root, show };
}

const best = (probabilities, labels) => {
  const top = probabilities.indexOf(Math.max(...probabilities));
  return `${labels[top]} (${(100 * probabilities[top]).toFixed(1)}%)`;
};

function render({ model, el }) {
  const digit = decodeFloat32(model.get("digit"));
  const size = model.get("canvas_size");
  const labels = model.get("labels");
  const models = { FC: prepareLayers(model.get("fc")), CNN: prepareLayers(model.get("cnn")) };
  const [h, w] = digit.shape;
  const top = digit.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0) || 1;
  const picture = element("canvas", { class: "explorer-map explorer-digit", tabindex: "0", role: "img" });
  const palette = model.get("palette");
  const panels = Object.fromEntries(
    Object.keys(models).map((name) => [name, bars(name, labels, palette[name])]),
  );
  const text = element("p", { class: "explorer-summary", "aria-live": "polite" });
  const update = () => {
    const [row, col] = [model.get("row"), model.get("col")];
    const input = placeDigit(digit, size, row, col);
    paintGrid(picture, input, size, size, (v) => blend([255, 255, 255], [0, 0, 0], Math.abs(v) / top));
    const said = Object.entries(models).map(([name, layers]) => {
      const probabilities = softmax(forward(layers, { shape: [1, size, size], data: input }).data);
      panels[name].show(probabilities);
      return `${name} predicts ${best(probabilities, labels)}`;
    });
    const where = `Digit at row ${row}, column ${col} of a ${size} x ${size} canvas`;
    text.textContent = `${where}. ${said.join("; ")}.`;
    picture.setAttribute("aria-label", `${where}; arrow keys move it. ${said.join("; ")}.`);
  };
  const move = (row, col) => {
    const clamp = (v, max) => Math.min(max, Math.max(0, v));
    store(model, { row: clamp(row, size - h), col: clamp(col, size - w) });
  };
  const controls = {
    col: slider("digit column", { min: 0, max: size - w, value: model.get("col") },
      (value) => move(model.get("row"), value)),
    row: slider("digit row", { min: 0, max: size - h, value: model.get("row") },
      (value) => move(value, model.get("col"))),
  };
  for (const [name, control] of Object.entries(controls)) {
    model.on(`change:${name}`, () => control.set(model.get(name)));
  }
  model.on("change", update);
  const steps = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };
  picture.addEventListener("keydown", (event) => {
    const step = steps[event.key];
    if (!step) return;
    event.preventDefault();
    move(model.get("row") + step[0], model.get("col") + step[1]);
  });
  // Dragging keeps the cell under the pointer under the pointer.
  let grab = null;
  const cell = (event) => {
    const box = picture.getBoundingClientRect();
    return [Math.floor(((event.clientY - box.top) / box.height) * size),
      Math.floor(((event.clientX - box.left) / box.width) * size)];
  };
  picture.addEventListener("pointerdown", (event) => {
    const [r, c] = cell(event);
    grab = [r - model.get("row"), c - model.get("col")];
    picture.setPointerCapture(event.pointerId);
  });
  picture.addEventListener("pointermove", (event) => {
    if (!grab) return;
    const [r, c] = cell(event);
    move(r - grab[0], c - grab[1]);
  });
  picture.addEventListener("pointerup", () => { grab = null; });
  prepare(el);
  el.append(
    element("div", { class: "explorer-controls" }, Object.values(controls).map((c) => c.root)),
    element("div", { class: "explorer-digit-row" }, [picture, ...Object.values(panels).map((p) => p.root)]),
    text,
  );
  update();
}

export default { render };
