// The shift explorer: conv(shift(x)) against shift(conv(x)), computed here as
// book.symmetry.shift_comparison does (zero-filled shift, zero "same" padding,
// cross-correlation as F.conv2d, the bias added after the convolution).

const TOLERANCE = 1e-6; // book.symmetry.TOLERANCE

// Content moved `amount` pixels right (or down); the vacated strip is zero.
function shiftMap(x, height, width, amount, vertical) {
  const out = new Float64Array(x.length);
  for (let i = 0; i < height; i += 1) {
    for (let j = 0; j < width; j += 1) {
      const si = vertical ? i - amount : i;
      const sj = vertical ? j : j - amount;
      if (si >= 0 && si < height && sj >= 0 && sj < width) out[i * width + j] = x[si * width + sj];
    }
  }
  return out;
}

function convSame(x, height, width, kernel, bias) {
  const [kh, kw] = kernel.shape;
  const [ph, pw] = [(kh - 1) / 2, (kw - 1) / 2];
  const out = new Float64Array(x.length);
  for (let i = 0; i < height; i += 1) {
    for (let j = 0; j < width; j += 1) {
      let sum = 0;
      for (let a = 0; a < kh; a += 1) {
        const row = i + a - ph;
        if (row < 0 || row >= height) continue;
        for (let b = 0; b < kw; b += 1) {
          const col = j + b - pw;
          if (col >= 0 && col < width) sum += kernel.data[a * kw + b] * x[row * width + col];
        }
      }
      out[i * width + j] = sum + bias;
    }
  }
  return out;
}

function shiftComparison(image, kernel, bias, amount, direction, margin) {
  const [height, width] = image.shape;
  const vertical = direction === "vertical";
  const shifted = shiftMap(image.data, height, width, amount, vertical);
  const movedThenMapped = convSame(shifted, height, width, kernel, bias);
  const mappedThenMoved = shiftMap(convSame(image.data, height, width, kernel, bias),
    height, width, amount, vertical);
  const difference = movedThenMapped.map((v, i) => Math.abs(v - mappedThenMoved[i]));
  let equalInside = true;
  for (let i = margin; i < height - margin; i += 1) {
    for (let j = margin; j < width - margin; j += 1) {
      if (difference[i * width + j] > TOLERANCE) equalInside = false;
    }
  }
  const spoiled = difference.filter((d) => d > TOLERANCE).length;
  return { height, width, amount, direction, margin, shifted, movedThenMapped,
    mappedThenMoved, difference, equalInside, spoiled,
    largest: Math.max(...difference) };
}

const signed = (value) => (value > 0 ? `+${value}` : String(value));

function describe(c) {
  const where = c.equalInside ? "equal" : "NOT equal";
  return (
    `${c.direction} shift ${signed(c.amount)}: f(T(x)) and T(f(x)) differ at ` +
    `${c.spoiled} of ${c.height * c.width} pixels (largest difference ` +
    `${fixed4(c.largest)}); inside the window ${c.margin} pixels from the border ` +
    `they are ${where}.`
  );
}

// Grey input, diverging maps around zero, and the difference from white to orange.
function paintComparison(canvases, c, palette) {
  const white = [255, 255, 255];
  const [blue, vermilion, orange] = [palette.blue, palette.vermilion, palette.orange].map(hexToRgb);
  const top = Math.max(...c.shifted.map(Math.abs)) || 1;
  const grey = (v) => blend(white, [0, 0, 0], Math.abs(v) / top);
  const reach = Math.max(...c.movedThenMapped.map(Math.abs), ...c.mappedThenMoved.map(Math.abs)) || 1;
  const diverging = (v) => (v < 0 ? blend(white, blue, -v / reach) : blend(white, vermilion, v / reach));
  const heat = (v) => blend(white, orange, v / (c.largest || 1));
  const maps = [[c.shifted, grey], [c.movedThenMapped, diverging], [c.mappedThenMoved, diverging],
    [c.difference, heat]];
  maps.forEach(([values, colour], i) => paintGrid(canvases[i], values, c.height, c.width, colour));
}

function panel(caption) {
  const canvas = element("canvas", { class: "explorer-map", "aria-hidden": "true" });
  const frame = element("div", { class: "explorer-frame" }, [canvas]);
  const label = element("span", { text: caption });
  return { root: element("div", { class: "explorer-panel" }, [frame, label]), canvas, label };
}

// A pair of radio buttons in a fieldset: arrow keys move between them natively.
function radios(legend, options, value, onChange) {
  const name = newId();
  const inputs = options.map((option) =>
    element("input", { type: "radio", name, value: option, id: `${name}-${option}` }),
  );
  inputs.forEach((input) => {
    input.checked = input.value === value;
    input.addEventListener("change", () => input.checked && onChange(input.value));
  });
  const root = element("fieldset", { class: "explorer-control" }, [
    element("legend", { text: legend }),
    ...inputs.flatMap((input) => [input, element("label", { for: input.id, text: input.value })]),
  ]);
  return { root, set: (next) => inputs.forEach((input) => { input.checked = input.value === next; }) };
}

function render({ model, el }) {
  const image = decodeFloat32(model.get("image"));
  const kernel = decodeFloat32(model.get("kernel"));
  const palette = model.get("palette");
  const [height, width] = image.shape;
  const panels = ["T(x)", "f(T(x))", "T(f(x))", "|f(T(x)) - T(f(x))|"].map(panel);
  const windowBox = element("div", { class: "explorer-window" });
  panels[3].canvas.after(windowBox);
  const figure = element("div", { class: "explorer-figure shift-maps", role: "img" },
    panels.map((p) => p.root));
  const text = element("p", { class: "explorer-summary", "aria-live": "polite" });
  const update = () => {
    const c = shiftComparison(image, kernel, model.get("bias"), model.get("amount"),
      model.get("direction"), model.get("margin"));
    paintComparison(panels.map((p) => p.canvas), c, palette);
    panels[0].label.textContent = `T(x): ${c.direction} shift ${signed(c.amount)}`;
    panels[3].label.textContent = `margin ${c.margin}: ${c.equalInside ? "equal" : "NOT equal"} in window`;
    // The dashed comparison window, in percent of the map so it scales with it.
    Object.assign(windowBox.style, {
      left: `${(100 * c.margin) / width}%`, top: `${(100 * c.margin) / height}%`,
      width: `${(100 * (width - 2 * c.margin)) / width}%`,
      height: `${(100 * (height - 2 * c.margin)) / height}%`,
    });
    text.textContent = describe(c);
    figure.setAttribute("aria-label",
      `Four maps: the input shifted ${signed(c.amount)} pixels ${c.direction}ly, conv ` +
      `of the shifted input, the shifted conv output and their difference. ${describe(c)}`);
  };
  const maxShift = model.get("max_shift");
  const controls = {
    amount: slider("shift", { min: -maxShift, max: maxShift, value: model.get("amount") },
      (value) => store(model, { amount: value })),
    margin: slider("margin", { min: 0, max: Math.floor(Math.min(height, width) / 2) - 1,
      value: model.get("margin") }, (value) => store(model, { margin: value })),
    direction: radios("direction", ["horizontal", "vertical"], model.get("direction"),
      (value) => store(model, { direction: value })),
  };
  for (const [name, control] of Object.entries(controls)) {
    model.on(`change:${name}`, () => {
      control.set(model.get(name));
      update();
    });
  }
  prepare(el);
  el.append(element("div", { class: "explorer-controls" },
    Object.values(controls).map((c) => c.root)), figure, text);
  update();
}

export default { render };
