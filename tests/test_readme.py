"""README.md's notebook table is generated from the notebooks (`tests/readme_table.py`), its Cite section from CITATION.cff
(`tests/readme_cite.py`), and nbdev never renders over README.md."""
import difflib, json, sys
from configparser import ConfigParser
from pathlib import Path
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import readme_table as rt
import readme_cite as rc

def _fail_unless_same(have:str, want:str, what:str):
    if have != want:
        diff = [l for l in difflib.unified_diff(have.splitlines(), want.splitlines(), 'README.md', 'generated', lineterm='', n=0)
                if l[:1] in '+-' and not l.startswith(('---', '+++'))]
        pytest.fail(what + '\n' + '\n'.join(diff), pytrace=False)

def test_readme_table_is_generated():
    _fail_unless_same(rt.region(rt.README.read_text(encoding='utf-8')), rt.table(rt.rows()),
                      "README.md's notebook table differs from the notebooks: run python tests/readme_table.py --write")

def test_readme_cite_is_generated():
    _fail_unless_same(rt.region(rt.README.read_text(encoding='utf-8'), rc.START, rc.END), rc.section(rc.load()),
                      "README.md's Cite section differs from CITATION.cff: run python tests/readme_cite.py --write")

def test_citation_agrees_with_settings():
    "CITATION.cff's software entry says what settings.ini (which setup.py reads) says; LICENSE is the licence they name."
    cfg = ConfigParser(); cfg.read(rt.ROOT / 'settings.ini')
    d, cff = cfg['DEFAULT'], rc.load()
    assert cff['cff-version'] == '1.2.0' and cff['type'] == 'software'
    assert (str(cff['version']), cff['license'], cff['repository-code']) == \
        (d['version'], {'apache2': 'Apache-2.0'}[d['license']], d['git_url'])
    lic = (rt.ROOT / 'LICENSE').read_text(encoding='utf-8')
    assert lic.lstrip().startswith('Apache License\n                           Version 2.0, January 2004') \
        and 'END OF TERMS AND CONDITIONS' in lic

def test_bibtex_of_a_made_up_reference():
    ref = {'type': 'article', 'title': 'Faces & flows: 100% of them', 'year': 2021, 'journal': 'J. Made Up',
           'volume': 3, 'issue': 2, 'start': 10, 'end': 20, 'doi': '10.1000/xyz',
           'authors': [{'family-names': 'Beethoven', 'given-names': 'Ludwig', 'name-particle': 'van'},
                       {'family-names': 'Doe', 'given-names': 'Jane', 'name-suffix': 'Jr.'}, {'name': 'A Lab & Co'}]}
    assert rc.bibtex(ref).splitlines() == [
        '@article{beethoven2021faces,',
        '  title   = {{Faces \\& flows: 100\\% of them}},',
        '  author  = {van Beethoven, Ludwig and Doe, Jr., Jane and {A Lab \\& Co}},',
        '  journal = {J. Made Up},',
        '  year    = {2021},',
        '  volume  = {3},',
        '  number  = {2},',
        '  pages   = {10--20},',
        '  doi     = {10.1000/xyz},',
        '}']
    assert rc.bibtex({'type': 'report', 'title': 'X', 'authors': [{'name': 'Y'}]}) == '@misc{x,\n  title  = {{X}},\n  author = {{Y}},\n}'

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
