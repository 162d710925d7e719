"""Build the JNE recordings shipped for the offline default (a developer tool, run once by hand).

Real EG2026 records are copied verbatim from the third-party capture in ../shared/data/jne_eg2026
(candidate-list rows and the raw `sentenciaPenal` / `sentenciaObliga` items); they are wrapped in the
API's envelopes (list pages, hoja-de-vida object). The invented demo candidacies (DNIs 99xxxxxx, invented
names and parties) come from scripts/demo_candidates.json. Requests are built with the pipeline's own
request builders, so the recordings answer exactly what the crawler asks.

Usage: python scripts/build_recordings.py ../shared/data/jne_eg2026
"""

from __future__ import annotations

import ast
import json
import shutil
import sys
from pathlib import Path

from pipeline.processes import get_process
from pipeline.sources import jne

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "pipeline" / "recordings" / "jne"
PAGE_SIZE = 50
BASE = ""  # routes are relative to the source's mount point


def _items(value: object) -> list[dict]:
    if isinstance(value, str):  # some third-party files store the list as a Python literal
        return ast.literal_eval(value) if value.strip() else []
    return list(value or [])


def _write(path: str, doc: object) -> str:
    target = OUT / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


def main(shared_dir: Path) -> None:
    process = get_process("EG2026")
    demo = json.loads((ROOT / "scripts" / "demo_candidates.json").read_text(encoding="utf-8"))
    presidents = json.loads((shared_dir / "bdActualizada_presidentes.json").read_text(encoding="utf-8"))
    hvs = json.loads((shared_dir / "hojas_vida_presidentes.json").read_text(encoding="utf-8"))

    rows_by_list: dict[int, list[dict]] = {i: [] for i in range(len(process.lists))}
    rows_by_list[0] = presidents
    hv_docs: dict[int, dict] = {}
    for hv in hvs.values():  # keyed by DNI, some keys twice (with and without leading zero)
        hv_docs[hv["idHojaVida"]] = {
            "datoGeneral": {
                "idHojaVida": hv["idHojaVida"],
                "idProcesoElectoral": process.id_proceso_electoral,
            },
            "sentenciaPenal": _items(hv["sentenciasPenales"]),
            "sentenciaObliga": _items(hv["sentenciasObligaciones"]),
        }
    for person in demo["candidates"]:
        rows_by_list[person["list"]].append(person["row"])
        hv_docs[person["row"]["idHojaVida"]] = {
            "datoGeneral": {
                "idHojaVida": person["row"]["idHojaVida"],
                "idProcesoElectoral": process.id_proceso_electoral,
                "idOrganizacionPolitica": person["row"]["idOrgPol"],
            },
            "sentenciaPenal": person.get("sentenciaPenal", []),
            "sentenciaObliga": person.get("sentenciaObliga", []),
        }

    shutil.rmtree(OUT, ignore_errors=True)
    routes = []
    for index, spec in enumerate(process.lists):
        rows = rows_by_list[index]
        pages = max(1, -(-len(rows) // PAGE_SIZE))
        for page in range(1, pages + 1):
            chunk = rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
            request = jne.list_request(BASE, process, spec, page, PAGE_SIZE)
            doc = {"data": chunk, "count": len(rows), "totalPages": pages}
            file = _write(f"lists/{index}-{page}.json", doc)
            routes.append(
                {
                    "method": "POST",
                    "path": request.url,
                    "query": {},
                    "body": request.json_body,
                    "status": 200,
                    "content_type": "application/json; charset=utf-8",
                    "file": file,
                }
            )
    for id_hv, doc in sorted(hv_docs.items()):
        request = jne.hoja_vida_request(BASE, process, {"id_hoja_vida": id_hv})
        file = _write(f"hoja-vida/{id_hv}.json", doc)
        routes.append(
            {
                "method": "GET",
                "path": request.url,
                "query": {k: str(v) for k, v in request.params.items()},
                "body": None,
                "status": 200,
                "content_type": "application/json; charset=utf-8",
                "file": file,
            }
        )
    (OUT / "index.json").write_text(json.dumps({"routes": routes}, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(routes)} routes to {OUT}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
