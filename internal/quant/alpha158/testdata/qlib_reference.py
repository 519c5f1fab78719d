# Generates qlib_reference.csv.gz, Alpha158 computed the way Qlib computes it
# (see internal/quant/expr/testdata/qlib_ops.py), for TestQlibReference. Not
# run by the tests; regenerate from internal/quant/alpha158, with pandas
# installed, with
#
#   python3 testdata/qlib_reference.py alpha158.tsv ../../../data/asx/equities testdata/qlib_reference.csv.gz
#
# The committed file was made with pandas 1.5.3 and numpy 1.24.
import gzip
import os
import sys

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "expr", "testdata"))
from qlib_ops import evaluate  # noqa: E402

# Rows kept in the fixture: BHP's first 120 days, then every 10th day; all of
# CSC, whose 39 days are too few for ROC60.
SAMPLES = [("BHP", lambda i: i < 120 or i % 10 == 0), ("CSC", lambda i: True)]

def main():
    tsv, equities, out = sys.argv[1], sys.argv[2], sys.argv[3]
    names = [l.split("\t")[0] for l in open(tsv) if l.strip() and not l.startswith("#")]
    frames = []
    for code, keep in SAMPLES:
        df = pd.read_csv(gzip.open(f"{equities}/{code}.AX.csv.gz"))
        data = {c.lower(): df[c].astype(np.float64) for c in ["Open", "High", "Low", "Close", "Volume"]}
        cols = {"code": code, "date": df.Date}
        for line in open(tsv):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            name, expr = line.split("\t")
            cols[name] = evaluate(expr, data).values
        frame = pd.DataFrame(cols)
        frames.append(frame[[keep(i) for i in range(len(frame))]])
    out_df = pd.concat(frames)[["code", "date"] + names]
    with gzip.open(out, "wt") as f:
        out_df.to_csv(f, index=False, float_format="%.12g")

if __name__ == "__main__":
    main()
