"""README.md's notebook → module table, generated from the notebooks themselves.

    python tests/readme_table.py            # print the table
    python tests/readme_table.py --write    # rewrite README.md between the markers
    python tests/readme_table.py --check    # exit 1 if README.md's table is stale

One row per notebook of `nbs/` (recursively, in sorted order, skipping the names nbdev skips: those starting
with `_` or `.`; `index.ipynb`, the docs home page, is left out):

- **notebook**: its path under `nbs/` without `.ipynb`;
- **module**: `selfsr.<default_exp>` and every other module a cell exports to (`#| export other.mod`), as
  nbdev's own export processor reads the directives; `—` for a notebook that exports nothing;
- **what**: the `> description` line of the notebook's `# Title` cell (nbdev's frontmatter rule), or the
  title where a notebook has no description.

This module owns how README.md's generated blocks are written (`region`, `replace`, `sync`, each taking the
block's markers); `tests/readme_cite.py` uses them for the "Cite" section it builds from CITATION.cff.
"""
import argparse, re, sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / 'README.md'
START, END = '<!-- notebooks:start -->', '<!-- notebooks:end -->'
SKIP = {'index'}  # the docs home page: not a source notebook
HEADER = '| notebook | module | what |\n|---|---|---|'

@dataclass
class Row:
    notebook: str         # path under nbs/, without .ipynb
    modules: list[str]    # dotted module names, default_exp first
    title: str
    description: str      # '' when the notebook has none

    @property
    def what(self) -> str: return self.description or self.title

def settings(root:Path=ROOT) -> tuple[Path, str]:
    "The notebook folder and the library's package name, from `settings.ini`."
    from configparser import ConfigParser
    cfg = ConfigParser(); cfg.read(root / 'settings.ini')
    d = cfg['DEFAULT']
    return root / d.get('nbs_path', 'nbs'), Path(d.get('lib_path', d.get('lib_name', 'selfsr'))).name

def notebooks(nbs:Path) -> list[Path]:
    "Every notebook under `nbs`, sorted, skipping what nbdev skips (names starting with `_` or `.`)."
    def skipped(p): return any(part.startswith(('_', '.')) for part in p.relative_to(nbs).parts)
    return sorted((p for p in nbs.rglob('*.ipynb') if not skipped(p)), key=lambda p: p.relative_to(nbs).as_posix())

def exported_modules(path:Path) -> list[str]:
    "The modules a notebook exports to (relative to the package, e.g. `layers`), as `nbdev_export` reads it."
    from nbdev.process import NBProcessor
    from nbdev.export import ExportModuleProc
    exp = ExportModuleProc()
    NBProcessor(path, [exp]).process()
    default = getattr(exp, 'default_exp', None)
    others = [m for m, cells in exp.modules.items() if m != '#' and any(c.cell_type == 'code' for c in cells)]
    return ([default] if default else []) + [m for m in others if m != default]

def title_description(nb:dict) -> tuple[str, str]:
    "The title and description nbdev's frontmatter processor gives a notebook (YAML raw cell or `# Title` / `> description`)."
    title = desc = ''
    for cell in nb.get('cells', []):
        src = ''.join(cell.get('source', ''))
        if cell.get('cell_type') == 'raw':
            m = re.search(r'^---\s*\n(.*?\S+.*?)\n---\s*$', src.strip(), flags=re.DOTALL)
            if m:
                import yaml
                fm = yaml.safe_load(m.group(1)) or {}
                title, desc = str(fm.get('title', title) or ''), str(fm.get('description', desc) or '')
        elif cell.get('cell_type') == 'markdown' and not title:
            m = re.search(r'^#\s+(\S.*?)\s*$', src, flags=re.MULTILINE)
            if not m: continue
            title = m.group(1)
            m = re.search(r'^>\s+(\S.*?)\s*$', src, flags=re.MULTILINE)
            if m: desc = m.group(1)
    return title, desc

def rows(nbs:Path|None=None, lib:str|None=None) -> list[Row]:
    import json
    if nbs is None or lib is None:
        _nbs, _lib = settings()
        nbs, lib = nbs or _nbs, lib or _lib
    out = []
    for p in notebooks(nbs):
        name = p.relative_to(nbs).with_suffix('').as_posix()
        if name in SKIP: continue
        title, desc = title_description(json.loads(p.read_text(encoding='utf-8')))
        out.append(Row(name, [f'{lib}.{m}' for m in exported_modules(p)], title, desc))
    return out

def _cell(s:str) -> str: return s.replace('|', r'\|').replace('\n', ' ').strip()

def table(rs:list[Row]) -> str:
    lines = [HEADER]
    for r in rs:
        mods = ', '.join(f'`{m}`' for m in r.modules) or '—'
        lines.append(f'| `{r.notebook}` | {mods} | {_cell(r.what) or "—"} |')
    return '\n'.join(lines)

def region(text:str, start:str=START, end:str=END) -> str:
    "What README.md holds between the markers `start` … `end` (stripped); by default the notebook table's."
    i, j = text.find(start), text.find(end)
    if i < 0 or j < i: raise ValueError(f'README.md lacks the markers {start} … {end} around a generated block')
    return text[i + len(start):j].strip()

def replace(text:str, new:str, start:str=START, end:str=END) -> str:
    "`text` with what lies between the markers replaced by `new`."
    region(text, start, end)  # raises without the markers
    i, j = text.find(start) + len(start), text.find(end)
    return text[:i] + '\n' + new + '\n' + text[j:]

def sync(new:str, start:str=START, end:str=END, readme:Path=README) -> bool:
    "Rewrite `readme` between the markers with `new`; True when that changed the file."
    text = readme.read_text(encoding='utf-8')
    out = replace(text, new, start, end)
    if out != text: readme.write_text(out, encoding='utf-8')
    return out != text

def cli(block:str, make, script:str, start:str=START, end:str=END, argv=None) -> int:
    "A generated README block's command line: --write rewrites it, --check exits 1 when stale, neither prints it; `make()` makes it."
    ap = argparse.ArgumentParser(description=f"README.md's {block}, generated")
    g = ap.add_mutually_exclusive_group()
    g.add_argument('--write', action='store_true', help=f"rewrite README.md's {block} between its markers")
    g.add_argument('--check', action='store_true', help=f"exit 1 if README.md's {block} differs from the generated one")
    a = ap.parse_args(argv)
    new = make()
    if a.write: print(f"README.md: {block} {'rewritten' if sync(new, start, end) else 'already up to date'}")
    elif a.check and region(README.read_text(encoding='utf-8'), start, end) != new:
        print(f"README.md's {block} is stale: run python {script} --write", file=sys.stderr)
        return 1
    elif not a.check: print(new)
    return 0

def main(argv=None) -> int:
    rs = rows()
    missing = [r.notebook for r in rs if not r.description]
    if missing: print(f"no '> description' line (title used): {', '.join(missing)}", file=sys.stderr)
    return cli('notebook table', lambda: table(rs), 'tests/readme_table.py', argv=argv)

if __name__ == '__main__': sys.exit(main())
