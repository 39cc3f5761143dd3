"""Write a synthetic "full" OGP commitment export (~12 times the subset) for the load benchmark.

The rows are the real subset's (../shared/data/ogp/commitments-2024/), repeated in
rounds; round ``k`` moves every plan to number ``number + 10 * k`` and gives each
commitment a new id, so the file has the same 171 columns, members and kinds of values
as OGP's real export, about 6,000 commitments in about 2,400 plans, and passes the
reader's checks (ids unique, plan ids that match member and number).

    python bench/generate_ogp.py [--rounds 12] [--source PATH] [--output PATH]
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUBSET = (
    ROOT.parent / "shared" / "data" / "ogp" / "commitments-2024" / "ogp-commitments-2024-subset.csv"
)


def generate(source: Path, rounds: int, out: object) -> int:
    """Write ``rounds`` rounds of the subset's rows to ``out``; returns the number of rows."""
    with source.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    col = {name: index for index, name in enumerate(header)}
    writer = csv.writer(out, lineterminator="\n")  # type: ignore[arg-type]
    writer.writerow(header)
    written = 0
    for k in range(rounds):
        for row in body:
            new = list(row)
            code = row[col["Code"]]
            number = int(row[col["Action Plan Number"]]) + 10 * k
            match = re.fullmatch(r"([A-Z]+)(\d+)", row[col["Commitment Unique Identifier"]])
            if match is None:
                raise ValueError(
                    f"not an OGP commitment id: {row[col['Commitment Unique Identifier']]!r}"
                )
            prefix, digits = match.groups()
            ogp_id = f"{prefix}{k:02d}{int(digits):04d}"
            new[col["Commitment Unique Identifier"]] = ogp_id
            new[col["Action Plan Number"]] = str(number)
            new[col["Action Plan ID"]] = f"AP_{code}{number:02d}"
            new[col["URL"]] = re.sub(r"[^/]+$", ogp_id.lower(), row[col["URL"]])
            new[col["id"]] = str(written + 1)
            writer.writerow(new)
            written += 1
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=12, help="copies of the subset (default 12)")
    parser.add_argument("--source", type=Path, default=SUBSET, help="the subset CSV to start from")
    parser.add_argument("--output", type=Path, help="file to write (default: standard output)")
    args = parser.parse_args()
    if args.output is None:
        count = generate(args.source, args.rounds, sys.stdout)
    else:
        with args.output.open("w", encoding="utf-8", newline="") as handle:
            count = generate(args.source, args.rounds, handle)
    print(f"{count} commitments", file=sys.stderr)


if __name__ == "__main__":
    main()
