// The conv-arithmetic explorer: the same numbers as book.layers.conv_arithmetic
// (formula, window starts, validity and its message, parameter count),
// computed here so that the page needs no kernel, and drawn as SVG.

function sizeFormula(W, F, S, P) {
  const value = fixed4((W - F + 2 * P) / S + 1).replace(/0+$/, "").replace(/\.$/, "");
  return `(${W} - ${F} + 2*${P}) / ${S} + 1 = ${value}`;
}

function convArithmetic(W, F, S, P) {
  const span = W + 2 * P - F;
  const starts = [];
  for (let start = 0; start <= span; start += S) starts.push(start);
  const formula = sizeFormula(W, F, S, P);
  let error = null;
  if (span < 0) {
    error =
      `kernel_size ${F} is larger than the padded input ${W} + 2*${P} = ` +
      `${W + 2 * P}, so ${formula} is not a positive size`;
  } else if (span % S) {
    error =
      `${formula} is not a whole number, so stride ${S} does not tile an input ` +
      `of ${W} with kernel ${F} and padding ${P} (pass floor=True to drop the ` +
      "leftover positions as PyTorch does)";
  }
  const leftover = starts.length ? span - starts.at(-1) : 0;
  // One input and one output channel, as in the Python explorer.
  return { W, F, S, P, starts, formula, error, leftover, parameters: F * F + 1 };
}

// The lines of ConvArithmetic.summary(), word for word.
function summary(a) {
  const lines = [`output size: ${a.formula}`];
  if (!a.error) {
    const n = a.starts.length;
    lines.push(`output grid: ${n} x ${n} = ${n * n} positions`);
  } else {
    lines.push(`invalid: ${a.error}`);
    if (a.starts.length) {
      const n = a.starts.length;
      lines.push(
        `PyTorch floors instead: ${n} x ${n}, ignoring the last ${a.leftover} ` +
          "padded row(s) and column(s)",
      );
    }
  }
  lines.push(
    `parameters: ${a.F}*${a.F}*1*1 + 1 = ${a.parameters.toLocaleString("en-US")} ` +
      `(${a.F * a.F} weights per filter), whatever the input size`,
  );
  return lines.join("\n");
}

// The figure's text alternative: the setting and its verdict in a few words.
function verdict(a) {
  const n = a.starts.length;
  if (!a.error) return `stride ${a.S}, output ${n} x ${n}, valid`;
  if (n) return `stride ${a.S}, invalid: PyTorch floors the output to ${n} x ${n}`;
  return `stride ${a.S}, invalid: the kernel is larger than the padded input`;
}

// Padded input cells (padding hatched, unreached cells vermilion), one bar per
// window, and the output cells under their windows' centres.
function drawWindows(svg, a, palette, hatchId) {
  const padded = a.W + 2 * a.P;
  const row = 0.55;
  const outY = 1 + (a.starts.length + 1) * row + 0.2;
  const width = Math.max(padded, a.F) + 1;
  svg.replaceChildren();
  svg.setAttribute("viewBox", `-0.5 -0.3 ${width} ${outY + 1.6}`);
  for (let cell = 0; cell < padded; cell += 1) {
    const isPad = cell < a.P || cell >= a.P + a.W;
    const unreached = a.starts.length && cell >= padded - a.leftover;
    const fill = unreached ? palette.vermilion : isPad ? `url(#${hatchId})` : "#ffffff";
    svg.append(element("rect", { x: cell, y: 0, width: 1, height: 1, fill, class: "cell" }));
  }
  a.starts.forEach((start, index) => {
    const colour = index % 2 ? palette.blue : palette.orange;
    svg.append(element("rect", {
      x: start + 0.08, y: 1.15 + index * row, width: a.F - 0.16, height: 0.38,
      fill: colour, class: "window",
    }));
  });
  a.starts.forEach((start, index) => {
    const centre = start + a.F / 2;
    svg.append(
      element("rect", {
        x: centre - 0.5, y: outY, width: 1, height: 1, class: "cell",
        fill: a.error ? "#cccccc" : palette.orange,
      }),
      element("text", { x: centre, y: outY + 0.68, class: "index", text: String(index) }),
    );
  });
}

// The hatch for zero padding; its id is unique so two explorers can share a page.
const hatch = (id) => `<defs><pattern id="${id}" width="0.25" height="0.25"
  patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
  <rect width="0.25" height="0.25" fill="#eeeeee"/>
  <line x1="0" y1="0" x2="0" y2="0.25" stroke="#666666" stroke-width="0.05"/>
</pattern></defs>`;

function render({ model, el }) {
  const palette = model.get("palette");
  const hatchId = newId();
  const maxima = model.get("maxima");
  const names = { input_size: "input W", kernel_size: "kernel F", stride: "stride S", padding: "padding P" };
  const minima = { input_size: 1, kernel_size: 1, stride: 1, padding: 0 };
  const text = element("pre", { class: "explorer-summary", "aria-live": "polite" });
  const svg = element("svg", { role: "img", class: "explorer-figure conv-windows" });
  const update = () => {
    const a = convArithmetic(...Object.keys(names).map((name) => model.get(name)));
    text.textContent = summary(a);
    text.classList.toggle("invalid", Boolean(a.error));
    drawWindows(svg, a, palette, hatchId);
    svg.insertAdjacentHTML("afterbegin", hatch(hatchId));
    svg.setAttribute("aria-label", `Windows of the kernel over the padded input: ${verdict(a)}`);
  };
  const sliders = Object.entries(names).map(([name, label]) => {
    const range = { min: minima[name], max: maxima[name], value: model.get(name) };
    // The model's change event below redraws, whoever changed the value.
    const control = slider(label, range, (value) => store(model, { [name]: value }));
    model.on(`change:${name}`, () => {
      control.set(model.get(name));
      update();
    });
    return control.root;
  });
  prepare(el);
  el.append(element("div", { class: "explorer-controls" }, sliders), svg, text);
  update();
}

export default { render };
