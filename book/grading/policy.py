"""What a student's function may not hand off, per exercise, and how the grader sees it.

An exercise asks for an operation; a function that hands that operation to a
library (`F.conv2d` in a from-scratch cross-correlation) or to the course's
own code (`book.layers.conv_output_size`) did not do the work. Each exercise
declares, per tested name, the operations it forbids, decided from its task
text in `solutions/`. Two checks look for them:

- `static_delegations` reads the notebook's source in the grader (never run):
  the tested name and every top-level function, class or variable it uses,
  with import aliases resolved (`from torch.nn.functional import conv2d as c`);
- the probe's runtime tripwire (`book.grading.probe`) watches the torch
  functions each call reaches, which catches names built at run time.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# The course's package: a student may call setup_notebook and check, no more.
ALLOWED_COURSE = frozenset(
    {
        "book",
        "book.notebook",
        "book.notebook.setup_notebook",
        "book.grading",
        "book.grading.check",
    }
)
# Code that builds names at run time: the grader cannot see what it calls.
DYNAMIC = frozenset(
    {
        "eval",
        "exec",
        "compile",
        "__import__",
        "import_module",
        "globals",
        "vars",
        "modules",
        "__builtins__",
        "builtins",
    }
)
CONVOLUTIONS = frozenset(
    {
        "conv1d",
        "conv2d",
        "conv3d",
        "conv_transpose1d",
        "conv_transpose2d",
        "conv_transpose3d",
        "convolution",
        "_convolution",
        "Conv1d",
        "Conv2d",
        "Conv3d",
        "LazyConv2d",
        "convolve",
        "convolve2d",
        "correlate",
        "correlate2d",
        "fftconvolve",
        "oaconvolve",
        "im2col",
        "conv_tbc",
    }
)
# Patch extraction: the loop the "loops" function is asked to write.
PATCHES = frozenset(
    {"unfold", "Unfold", "as_strided", "sliding_window_view", "view_as_windows"}
)


@dataclass(frozen=True)
class Rule:
    """Operations one tested name may not use, and why (shown in the report)."""

    forbidden: frozenset[str]
    why: str


NO_COURSE = Rule(frozenset(), "the course's own code")
CONV_RULE = Rule(CONVOLUTIONS, "the exercise asks for the cross-correlation itself")
LOOPS_RULE = Rule(
    CONVOLUTIONS | PATCHES,
    "the exercise asks for Python loops over the output positions",
)
COUNT_RULE = Rule(CONVOLUTIONS, "the exercise asks for the count, not a layer's")

# exercise id -> tested name -> rule; names not listed forbid the course only.
RULES: Mapping[str, Mapping[str, Rule]] = {
    "ex1_count_savings": {},
    "ex2_equivariance": {},  # its task text allows F.conv2d
    "ex3_locality": {},
    "ex4_conv_arithmetic": {"conv_param_count": COUNT_RULE},
    "ex5_cross_correlation": {
        "cross_correlate_loops": LOOPS_RULE,
        "cross_correlate_vectorised": CONV_RULE,
        "convolve": CONV_RULE,
        "edge_map": CONV_RULE,
    },
}


def rule_for(exercise_id: str, target: str) -> Rule:
    """The rule for one tested name (the course's code is always forbidden)."""
    if exercise_id not in RULES:
        raise KeyError(f"no delegation rules for exercise {exercise_id!r}")
    return RULES[exercise_id].get(target, NO_COURSE)


# --- Static check --------------------------------------------------------------


@dataclass(frozen=True)
class _Scope:
    """What top-level names mean at one point of the notebook."""

    aliases: dict[str, str]  # local name -> dotted import path
    bodies: dict[str, list[_Binding]]  # name -> the statements that bound it

    def snapshot(self) -> _Scope:
        return _Scope(dict(self.aliases), dict(self.bodies))


@dataclass(frozen=True)
class _Binding:
    """A statement that binds a name, and the scope its names are looked up in.

    A top-level assignment runs once, when its cell runs: its names mean what
    they meant then (`scope`). A function or class looks them up when it is
    called, after the whole notebook ran (`scope` None: the final scope).
    """

    node: ast.AST
    scope: _Scope | None


class _Module:
    """The notebook's top level: what each name is bound to, in cell order."""

    def __init__(self) -> None:
        self.scope = _Scope({}, {})

    @property
    def aliases(self) -> dict[str, str]:
        return self.scope.aliases

    def read(self, tree: ast.Module) -> None:
        for node in tree.body:
            self._bind(node)

    def _name(self, name: str, binding: _Binding | None, alias: str = "") -> None:
        bodies, aliases = self.scope.bodies, self.scope.aliases
        bodies.pop(name, None)
        aliases.pop(name, None)
        if alias:
            aliases[name] = alias
        if binding is not None:
            bodies[name] = [binding]

    def _bind(self, node: ast.stmt) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                local = alias.asname or alias.name.split(".")[0]
                self._name(local, None, alias.name if alias.asname else local)
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                local = alias.asname or alias.name
                self._name(local, None, f"{node.module or ''}.{alias.name}")
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            self._name(node.name, _Binding(node, None))
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            binding = _Binding(node, self.scope.snapshot())
            for name in _assigned_names(targets):
                # An augmented assignment adds to what the name held.
                kept = self.scope.bodies.get(name, [])
                self._name(name, binding)
                if isinstance(node, ast.AugAssign):
                    self.scope.bodies[name] = [*kept, binding]
        else:
            # if/for/with/try at the top level: bindings inside still count.
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.stmt):
                    self._bind(child)


def _assigned_names(targets: Iterable[ast.expr]) -> list[str]:
    return [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]


def _references(node: ast.AST) -> Iterable[tuple[str, str]]:
    """(top-level name, dotted path as written) of every name and attribute use."""
    for child in ast.walk(node):
        if isinstance(child, ast.Attribute):
            parts = [child.attr]
            base = child.value
            while isinstance(base, ast.Attribute):
                parts.append(base.attr)
                base = base.value
            if isinstance(base, ast.Name):
                yield base.id, ".".join([base.id, *reversed(parts)])
            for part in parts:
                yield "", part
        elif isinstance(child, ast.Name):
            yield child.id, child.id
        elif isinstance(child, ast.Constant) and isinstance(child.value, str):
            # getattr(F, "conv2d") names the operation in a string.
            yield "", child.value
        elif isinstance(child, ast.Import | ast.ImportFrom):
            module = getattr(child, "module", None) or ""
            for alias in child.names:
                yield "", f"{module}.{alias.name}".strip(".")


def _locals(body: ast.AST) -> set[str]:
    """Names a function binds itself: they never refer to the notebook's top level."""
    if not isinstance(body, ast.FunctionDef | ast.AsyncFunctionDef):
        return set()
    arguments = body.args
    names = {
        a.arg for a in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
    }
    names |= {a.arg for a in (arguments.vararg, arguments.kwarg) if a is not None}
    for node in ast.walk(body):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Global | ast.Nonlocal):
            names -= set(node.names)
    return names


def _resolve(scope: _Scope, root: str, dotted: str) -> str:
    if root and root in scope.aliases:
        return scope.aliases[root] + dotted[len(root) :]
    return dotted


def _problem(path: str, rule: Rule) -> str | None:
    parts = path.split(".")
    if parts[0] == "book" and path not in ALLOWED_COURSE:
        return f"uses {path}, the course's own code"
    for part in parts:
        if part in rule.forbidden:
            return f"uses {path} ({rule.why})"
        if part in DYNAMIC:
            return f"uses {path}, which hides what it calls from the grader"
    return None


def delegation(module: _Module, target: str, rule: Rule) -> str | None:
    """Why `target` delegates (first reason found), or None."""
    final = module.scope
    if target in final.aliases:
        return _problem(final.aliases[target], rule) or None
    seen: set[tuple[str, int]] = set()
    pending = [(target, final)]
    while pending:
        name, scope = pending.pop()
        if (name, id(scope)) in seen:
            continue
        seen.add((name, id(scope)))
        for binding in scope.bodies.get(name, []):
            inner = binding.scope or final
            own = _locals(binding.node)
            for root, dotted in _references(binding.node):
                path = dotted if root in own else _resolve(inner, root, dotted)
                problem = _problem(path, rule)
                if problem:
                    return problem
                if root in inner.bodies and root not in own:
                    pending.append((root, inner))
    return None


def static_delegations(
    exercise_id: str, sources: Iterable[str], targets: Iterable[str]
) -> dict[str, str]:
    """Tested name -> why it delegates, from the notebook's code cells (never run).

    Cells that are not Python after IPython's own rewriting (magics) are
    rewritten first; a cell that still does not parse defines nothing when
    run, so it is skipped here too.
    """
    from IPython.core.inputtransformer2 import TransformerManager

    module = _Module()
    rewrite = TransformerManager()
    trees = []
    for source in sources:
        try:
            trees.append(ast.parse(rewrite.transform_cell(source)))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        module.read(trees[-1])
    tampering = next(filter(None, (_tampering(module, tree) for tree in trees)), None)
    found = {}
    for target in set(targets):
        problem = tampering or delegation(module, target, rule_for(exercise_id, target))
        if problem:
            found[target] = problem
    return found


def _tampering(module: _Module, tree: ast.Module) -> str | None:
    """Why code anywhere in the notebook reaches into the grader, or None."""
    for root, dotted in _references(tree):
        path = _resolve(module.scope, root, dotted)
        if path.startswith("book.grading.") and path not in ALLOWED_COURSE:
            return f"reaches into the grader ({path})"
    return None
