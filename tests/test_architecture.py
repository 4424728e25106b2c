"""The layers hold (docs/architecture.md): no package imports a package that imports it back, no module is part of
an import cycle (imports inside functions count: they are how cycles used to be hidden), and the product imports no
test utilities. `make lint` checks the layer order itself with import-linter (pyproject.toml)."""

import grimp
import pytest

PRODUCT = ["resilience", "api", "dashboards", "demo", "casework", "concerns", "surveillance", "forwardplans",
           "contracts", "practices", "core"]


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph(*PRODUCT, include_external_packages=True)


def _imports(graph, module):
    return set(graph.find_modules_directly_imported_by(module))


def test_no_two_packages_import_each_other(graph):
    uses = {(a, b) for m in graph.modules for i in _imports(graph, m)
            if (a := m.split(".")[0]) in PRODUCT and (b := i.split(".")[0]) in PRODUCT and a != b}
    assert sorted((a, b) for a, b in uses if (b, a) in uses) == []
    # The graph is read correctly: the top knows the bottom.
    assert ("api", "core") in uses and ("forwardplans", "contracts") in uses


def _cycles(graph, modules):
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index, low, on_stack, stack, found, counter = {}, {}, set(), [], [], [0]
    edges = {m: [i for i in _imports(graph, m) if i in modules] for m in modules}
    for root in modules:
        if root in index:
            continue
        work = [(root, iter(edges[root]))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_module_is_in_an_import_cycle(graph):
    modules = {m for m in graph.modules if m.split(".")[0] in PRODUCT}
    assert _cycles(graph, modules) == []


def test_the_cycle_finder_finds_a_cycle():
    class Graph:
        modules = {"a", "b", "c"}

        @staticmethod
        def find_modules_directly_imported_by(module):
            return {"a": {"b"}, "b": {"a"}, "c": {"a"}}[module]

    assert _cycles(Graph, Graph.modules) == [["a", "b"]]


def test_the_product_imports_no_test_utilities(graph):
    offenders = sorted(m for m in graph.modules if m.split(".")[0] in PRODUCT
                       for chain in [graph.find_modules_directly_imported_by(m)]
                       if chain & {"django", "pytest", "factory", "tests", "bench"}
                       and _imports_test_code(m))
    assert offenders == []


def _imports_test_code(module):
    """grimp keeps only the top package of external imports: read the module's own import lines for django.test."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec(module)
    source = Path(spec.origin).read_text(encoding="utf-8") if spec and spec.origin else ""
    return any(marker in source for marker in ("from django.test", "import django.test", "import pytest",
                                                "from tests", "import factory", "from bench"))
