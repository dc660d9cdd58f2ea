"""README.md's "Cite" section, generated from CITATION.cff.

    python tests/readme_cite.py            # print the section
    python tests/readme_cite.py --write    # rewrite README.md between the markers
    python tests/readme_cite.py --check    # exit 1 if README.md's section is stale

Between `<!-- cite:start -->` and `<!-- cite:end -->`: a BibTeX entry for the paper, built from CITATION.cff's
`preferred-citation` (only the fields it has: nothing is made up), and one line naming the software entry.
How a generated block is found and written is `readme_table`'s (`region`, `replace`, `sync`).
"""
import re, sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import readme_table as rt

CFF = rt.ROOT / 'CITATION.cff'
START, END = '<!-- cite:start -->', '<!-- cite:end -->'
BIBTYPES = {'article': 'article'}  # CFF reference type → BibTeX entry type; anything else is @misc

def load(path:Path=CFF) -> dict:
    import yaml
    return yaml.safe_load(path.read_text(encoding='utf-8'))

def _esc(s) -> str: return re.sub(r'([&%$#_])', r'\\\1', str(s))

def bib_name(a:dict) -> str:
    "A CFF person as BibTeX's `von Last, Jr, First`; an entity braced whole, so BibTeX never splits it."
    if 'name' in a: return '{' + _esc(a['name']) + '}'
    last = ' '.join(filter(None, [a.get('name-particle'), a.get('family-names')]))
    return _esc(', '.join(filter(None, [last, a.get('name-suffix'), a.get('given-names')])))

def plain_name(a:dict) -> str:
    return a.get('name') or ' '.join(filter(None, [a.get('given-names'), a.get('name-particle'), a.get('family-names'), a.get('name-suffix')]))

def bibtex(ref:dict) -> str:
    "A BibTeX entry for a CFF reference; its key is first author's family name, year and first title word (those present)."
    persons = [a for a in ref['authors'] if 'family-names' in a]
    key = re.sub(r'[^a-z0-9]', '', ''.join([persons[0]['family-names'] if persons else '', str(ref.get('year', '')),
                                             ref['title'].split()[0]]).lower())
    ids = {i['type']: str(i['value']) for i in ref.get('identifiers', [])}
    arxiv = next((v for v in ids.values() if v.lower().startswith('arxiv:')), None)
    pages = '--'.join(str(ref[k]) for k in ('start', 'end') if k in ref)
    fields = [('title', '{' + _esc(ref['title']) + '}'),  # double braces: BibTeX styles keep the title's case
              ('author', ' and '.join(bib_name(a) for a in ref['authors'])),
              ('journal', _esc(ref.get('journal', ''))), ('year', ref.get('year', '')), ('month', ref.get('month', '')),
              ('volume', ref.get('volume', '')), ('number', ref.get('issue', '')), ('pages', pages),
              ('doi', ref.get('doi', ids.get('doi', ''))),
              ('eprint', arxiv.split(':', 1)[1] if arxiv else ''), ('archivePrefix', 'arXiv' if arxiv else ''),
              ('url', ref.get('url', ''))]
    fields = [(k, v) for k, v in fields if str(v)]
    w = max(len(k) for k, _ in fields)
    body = '\n'.join(f'  {k.ljust(w)} = {{{v}}},' for k, v in fields)
    return f"@{BIBTYPES.get(ref['type'], 'misc')}{{{key},\n{body}\n}}"

def section(cff:dict) -> str:
    "What README.md's Cite section holds between its markers."
    sw = [f"*{cff['title']}*", f"version {cff['version']}" if 'version' in cff else '',
          ', '.join(plain_name(a) for a in cff['authors']), cff.get('license', ''), cff.get('repository-code', '')]
    return (f"```bibtex\n{bibtex(cff['preferred-citation'])}\n```\n\n"
            f"To cite this implementation itself: {', '.join(s for s in map(str, sw) if s)} "
            f"(the software entry of [`CITATION.cff`](CITATION.cff)).")

def main(argv=None) -> int:
    return rt.cli('Cite section', lambda: section(load()), 'tests/readme_cite.py', START, END, argv)

if __name__ == '__main__': sys.exit(main())
