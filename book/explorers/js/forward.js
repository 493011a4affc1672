// A forward pass over the layer list that book/explorers/export.py writes:
// one image in, PyTorch's arithmetic out (no batch axis). Tensors here are
// {shape, data} with data a Float64Array in PyTorch's row-major order.

function conv2d(x, layer) {
  const [C, H, W] = x.shape;
  const [kh, kw] = layer.kernel;
  const [sh, sw] = layer.stride;
  const [ph, pw] = layer.padding;
  const Ho = Math.floor((H + 2 * ph - kh) / sh) + 1;
  const Wo = Math.floor((W + 2 * pw - kw) / sw) + 1;
  const weight = layer.weightData;
  const out = new Float64Array(layer.out * Ho * Wo);
  for (let k = 0; k < layer.out; k += 1) {
    const bias = layer.biasData ? layer.biasData[k] : 0;
    for (let i = 0; i < Ho; i += 1) {
      for (let j = 0; j < Wo; j += 1) {
        let sum = bias;
        for (let c = 0; c < C; c += 1) {
          for (let a = 0; a < kh; a += 1) {
            const row = i * sh + a - ph;
            if (row < 0 || row >= H) continue;
            const base = ((k * C + c) * kh + a) * kw;
            for (let b = 0; b < kw; b += 1) {
              const col = j * sw + b - pw;
              if (col >= 0 && col < W) sum += weight[base + b] * x.data[(c * H + row) * W + col];
            }
          }
        }
        out[(k * Ho + i) * Wo + j] = sum;
      }
    }
  }
  return { shape: [layer.out, Ho, Wo], data: out };
}

function linear(x, layer) {
  // The input must already be flat (nn.Flatten), as PyTorch's Linear would see it.
  if (x.shape.length !== 1 || x.shape[0] !== layer.in) {
    throw new Error(`linear layer expects ${layer.in} inputs, got shape [${x.shape}]`);
  }
  const out = new Float64Array(layer.out);
  for (let o = 0; o < layer.out; o += 1) {
    let sum = layer.biasData ? layer.biasData[o] : 0;
    const row = o * layer.in;
    for (let i = 0; i < layer.in; i += 1) sum += layer.weightData[row + i] * x.data[i];
    out[o] = sum;
  }
  return { shape: [layer.out], data: out };
}

// Pooling over windows [start, end) per axis; `reduce` sees the window's values
// and how many cells it spans including padding (for count_include_pad).
function pool(x, windows, reduce) {
  const [C, H, W] = x.shape;
  const [rows, cols] = windows(H, W);
  const out = new Float64Array(C * rows.length * cols.length);
  let index = 0;
  for (let c = 0; c < C; c += 1) {
    for (const [r0, r1] of rows) {
      for (const [c0, c1] of cols) {
        const values = [];
        for (let i = Math.max(r0, 0); i < Math.min(r1, H); i += 1) {
          for (let j = Math.max(c0, 0); j < Math.min(c1, W); j += 1) values.push(x.data[(c * H + i) * W + j]);
        }
        out[index] = reduce(values, (r1 - r0) * (c1 - c0));
        index += 1;
      }
    }
  }
  return { shape: [C, rows.length, cols.length], data: out };
}

// Fixed windows: kernel, stride and padding, the output floored as PyTorch does.
function fixedWindows(layer) {
  const axis = (size, k, s, p) => {
    const count = Math.floor((size + 2 * p - k) / s) + 1;
    return Array.from({ length: count }, (_, i) => [i * s - p, i * s - p + k]);
  };
  return (H, W) => [
    axis(H, layer.kernel[0], layer.stride[0], layer.padding[0]),
    axis(W, layer.kernel[1], layer.stride[1], layer.padding[1]),
  ];
}

// Adaptive windows: PyTorch's start = floor(i*in/out), end = ceil((i+1)*in/out).
function adaptiveWindows(layer) {
  const axis = (size, out) => {
    const n = out === null ? size : out;
    return Array.from({ length: n }, (_, i) => [
      Math.floor((i * size) / n), Math.ceil(((i + 1) * size) / n)]);
  };
  return (H, W) => [axis(H, layer.output[0]), axis(W, layer.output[1])];
}

const largest = (values) => values.reduce((m, v) => (v > m || Number.isNaN(v) ? v : m), -Infinity);
const mean = (values) => values.reduce((s, v) => s + v, 0) / values.length;

function channelAffine(x, layer) {
  const perChannel = x.data.length / x.shape[0];
  const data = x.data.map((v, i) => {
    const c = Math.floor(i / perChannel);
    return v * layer.scaleData[c] + layer.shiftData[c];
  });
  return { shape: x.shape, data };
}

const LAYERS = {
  conv2d,
  linear,
  relu: (x) => ({ shape: x.shape, data: x.data.map((v) => (v > 0 ? v : 0)) }),
  flatten: (x) => ({ shape: [x.data.length], data: x.data }),
  maxpool2d: (x, layer) => pool(x, fixedWindows(layer), largest),
  avgpool2d: (x, layer) =>
    pool(x, fixedWindows(layer), (values, span) =>
      values.reduce((s, v) => s + v, 0) / (layer.count_include_pad ? span : values.length)),
  adaptivemaxpool2d: (x, layer) => pool(x, adaptiveWindows(layer), largest),
  adaptiveavgpool2d: (x, layer) => pool(x, adaptiveWindows(layer), mean),
  channel_affine: channelAffine,
};

// Decode a layer list's tensors once, so each forward pass only computes.
function prepareLayers(layers) {
  return layers.map((layer) => {
    const ready = { ...layer };
    for (const name of ["weight", "bias", "scale", "shift"]) {
      if (layer[name]) ready[`${name}Data`] = decodeFloat32(layer[name]).data;
    }
    return ready;
  });
}

function forward(layers, input) {
  return layers.reduce((x, layer) => LAYERS[layer.kind](x, layer), input);
}

function softmax(logits) {
  const top = Math.max(...logits);
  const exps = Array.from(logits, (v) => Math.exp(v - top));
  const total = exps.reduce((s, v) => s + v, 0);
  return exps.map((v) => v / total);
}
