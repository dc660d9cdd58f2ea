"""Every public name of the package has a `show_doc` in the notebook it is exported from (the docs site's API pages)."""
import ast, re
from pathlib import Path
from test_layering import modules, notebook_of, NBS

def public_names(path:Path) -> list[str]:
    "The names of a generated module's `__all__`."
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and any(getattr(t, 'id', None) == '__all__' for t in node.targets):
            return [e.value for e in node.value.elts] if isinstance(node.value, (ast.List, ast.Tuple)) else []
    return []

def documented(nb_text:str, name:str) -> bool:
    return re.search(r'show_doc\((?:SimpleNamespace\(__wrapped__=)?' + re.escape(name) + r'\b', nb_text) is not None

def test_documented_finds_both_forms():
    assert documented('"show_doc(RunConfig)"', 'RunConfig') and documented('show_doc(SimpleNamespace(__wrapped__=TEMPLATE), name=', 'TEMPLATE')
    assert not documented('show_doc(RunConfigs)', 'RunConfig') and not documented('RunConfig', 'RunConfig')

def test_every_public_name_has_a_show_doc():
    missing = []
    for name, p in modules().items():
        text = (NBS / f'{notebook_of(p)}.ipynb').read_text()
        missing += [f'{name}.{n}' for n in public_names(p) if not documented(text, n)]
    assert not missing, f'public names without show_doc in their notebook: {missing}'
