"""README.md's notebook table is generated from the notebooks (`tests/readme_table.py`), and nbdev never renders over README.md."""
import difflib, json, sys
from configparser import ConfigParser
from pathlib import Path
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import readme_table as rt

def test_readme_table_is_generated():
    have = rt.region(rt.README.read_text(encoding='utf-8'))
    want = rt.table(rt.rows())
    if have != want:
        diff = [l for l in difflib.unified_diff(have.splitlines(), want.splitlines(), 'README.md', 'notebooks', lineterm='', n=0)
                if l[:1] in '+-' and not l.startswith(('---', '+++'))]
        pytest.fail("README.md's notebook table differs from the notebooks: run python tests/readme_table.py --write\n"
                    + '\n'.join(diff), pytrace=False)

def test_nbdev_readme_cannot_overwrite_readme():
    "README.md is hand-written (CI reads its sections): `readme_nb` must name no notebook, so `nbdev_readme` renders nothing over it."
    cfg = ConfigParser(); cfg.read(rt.ROOT / 'settings.ini')
    nbs, readme_nb = rt.ROOT / cfg['DEFAULT'].get('nbs_path', 'nbs'), cfg['DEFAULT'].get('readme_nb', 'index.ipynb')
    assert readme_nb.strip() and not (nbs / readme_nb).exists(), \
        f'settings.ini readme_nb = {readme_nb!r} names a notebook: nbdev_readme/nbdev_prepare would render it over README.md'

def _nb(*cells):
    return {'cells': [{'cell_type': t, 'metadata': {}, 'source': s, **({'outputs': [], 'execution_count': None} if t == 'code' else {})}
                      for t, s in cells],
            'metadata': {'kernelspec': {'display_name': 'python3', 'language': 'python', 'name': 'python3'}},
            'nbformat': 4, 'nbformat_minor': 5}

def test_generator_parses_a_made_up_notebook(tmp_path):
    nbs = tmp_path / 'nbs'; (nbs / 'sub').mkdir(parents=True)
    w = lambda name, nb: (nbs / name).write_text(json.dumps(nb))
    w('01_b.ipynb', _nb(('code', '#| default_exp b'),
                        ('markdown', '# The B notebook\n\n> What b does | and a pipe.\n\nMore prose.\n\n> not this quote'),
                        ('code', '#| export\ndef f(): pass'),
                        ('code', '#|export extra.mod\ndef g(): pass'),
                        ('code', '#| exporti\ndef _h(): pass')))
    w('00_a.ipynb', _nb(('markdown', '# Figure A\n\nNo description line here.'), ('code', 'x = 1')))
    w('sub/02_c.ipynb', _nb(('raw', '---\ntitle: C\ndescription: from YAML front matter\n---'), ('code', '#| default_exp c\n#| export\ny = 2')))
    w('index.ipynb', _nb(('markdown', '# Home\n\n> the docs home')))
    w('_draft.ipynb', _nb(('markdown', '# Draft\n\n> skipped, as nbdev skips it')))
    rs = rt.rows(nbs, 'pkg')
    assert [(r.notebook, r.modules, r.what) for r in rs] == [
        ('00_a', [], 'Figure A'),
        ('01_b', ['pkg.b', 'pkg.extra.mod'], 'What b does | and a pipe.'),
        ('sub/02_c', ['pkg.c'], 'from YAML front matter')]
    assert rt.table(rs).splitlines()[2:] == [
        '| `00_a` | — | Figure A |',
        '| `01_b` | `pkg.b`, `pkg.extra.mod` | What b does \\| and a pipe. |',
        '| `sub/02_c` | `pkg.c` | from YAML front matter |']
    text = f'intro\n\n{rt.START}\nold table\n{rt.END}\n\nprose after\n'
    new = rt.replace(text, rt.table(rs))
    assert new.startswith('intro\n\n') and new.endswith(f'{rt.END}\n\nprose after\n') and rt.region(new) == rt.table(rs)
