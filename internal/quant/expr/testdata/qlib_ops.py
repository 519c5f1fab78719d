# Qlib's expression operators on pandas, for generating test fixtures: the
# expressions are turned into Python by Qlib's parse_field regexes
# (qlib/utils/__init__.py) and evaluated with operator classes that call
# pandas and numpy exactly as qlib/data/ops.py does; Slope, Rsquare and Resi
# are qlib/data/_libs/rolling.pyx ported line by line. Inputs are float64
# (Qlib's own .bin files are float32).
#
# Run as a script (from internal/quant/expr, with pandas installed) it writes
# testdata/qlib_ops.csv for TestQlibOps:
#
#   python3 testdata/qlib_ops.py testdata/qlib_ops.csv
#
# The committed files were made with pandas 1.5.3 and numpy 1.24.

import math, re, sys
import numpy as np
import pandas as pd

np.seterr(all="ignore")

class E:
    def __gt__(s, o): return Np(s, o, "greater")
    def __ge__(s, o): return Np(s, o, "greater_equal")
    def __lt__(s, o): return Np(s, o, "less")
    def __le__(s, o): return Np(s, o, "less_equal")
    def __eq__(s, o): return Np(s, o, "equal")
    def __ne__(s, o): return Np(s, o, "not_equal")
    def __add__(s, o): return Np(s, o, "add")
    def __radd__(s, o): return Np(o, s, "add")
    def __sub__(s, o): return Np(s, o, "subtract")
    def __rsub__(s, o): return Np(o, s, "subtract")
    def __mul__(s, o): return Np(s, o, "multiply")
    def __rmul__(s, o): return Np(s, o, "multiply")
    def __truediv__(s, o): return Np(s, o, "divide")
    def __rtruediv__(s, o): return Np(o, s, "divide")
    def __and__(s, o): return Np(s, o, "bitwise_and")
    def __or__(s, o): return Np(s, o, "bitwise_or")

def load(x):
    return x.load() if isinstance(x, E) else x

DATA = {}
class Feature(E):
    def __init__(s, name): s.name = name.lower()
    def load(s):
        if s.name in DATA: return DATA[s.name]
        return pd.Series(np.nan, index=next(iter(DATA.values())).index)

class Np(E):
    def __init__(s, l, r, f): s.l, s.r, s.f = l, r, f
    def load(s): return getattr(np, s.f)(load(s.l), load(s.r))

class Elem(E):
    def __init__(s, x): s.x = x
class Abs(Elem):
    def load(s): return np.abs(load(s.x))
class Log(Elem):
    def load(s): return np.log(load(s.x))
class Sign(Elem):
    def load(s): return np.sign(load(s.x).astype(np.float32))
def Greater(a, b): return Np(a, b, "maximum")
def Less(a, b): return Np(a, b, "minimum")

class Roll(E):
    def __init__(s, x, N): s.x, s.N = x, N
    def load(s):
        return getattr(load(s.x).rolling(s.N, min_periods=1), s.func)()
class Ref(Roll):
    def load(s): return load(s.x).shift(s.N)
class Mean(Roll): func = "mean"
class Sum(Roll): func = "sum"
class Std(Roll): func = "std"
class Var(Roll): func = "var"
class Max(Roll): func = "max"
class Min(Roll): func = "min"
class Med(Roll): func = "median"
class Count(Roll): func = "count"
class IdxMax(Roll):
    def load(s): return load(s.x).rolling(s.N, min_periods=1).apply(lambda a: a.argmax() + 1, raw=True)
class IdxMin(Roll):
    def load(s): return load(s.x).rolling(s.N, min_periods=1).apply(lambda a: a.argmin() + 1, raw=True)
class Quantile(Roll):
    def __init__(s, x, N, q): s.x, s.N, s.q = x, N, q
    def load(s): return load(s.x).rolling(s.N, min_periods=1).quantile(s.q)
class Rank(Roll):
    def load(s): return load(s.x).rolling(s.N, min_periods=1).rank(pct=True)
class EMA(Roll):
    def load(s):
        if 0 < s.N < 1: return load(s.x).ewm(alpha=s.N, min_periods=1).mean()
        return load(s.x).ewm(span=s.N, min_periods=1).mean()
class WMA(Roll):
    def load(s):
        def wm(x):
            w = np.arange(len(x)) + 1
            w = w / w.sum()
            return np.nanmean(w * x)
        return load(s.x).rolling(s.N, min_periods=1).apply(wm, raw=True)
class Mad(Roll):
    def load(s):
        def mad(x):
            x1 = x[~np.isnan(x)]
            return np.mean(np.abs(x1 - x1.mean()))
        return load(s.x).rolling(s.N, min_periods=1).apply(mad, raw=True)
class Delta(Roll):
    def load(s):
        v = load(s.x); return v - v.shift(s.N)


class Not(Elem):
    def load(s): return np.bitwise_not(load(s.x))
class Power(E):
    def __init__(s, x, e): s.x, s.e = x, e
    def load(s): return np.power(load(s.x), s.e)
class If(E):
    def __init__(s, c, a, b): s.c, s.a, s.b = c, a, b
    def load(s):
        c = load(s.c)
        return pd.Series(np.where(c, load(s.a), load(s.b)), index=c.index)

def rolling_pyx(a, window, kind):
    # qlib/data/_libs/rolling.pyx Slope/Resi/Rsquare, ported as written.
    barv = [np.nan] * window
    na_count = window
    i_sum = x_sum = x2_sum = y_sum = y2_sum = xy_sum = 0.0
    out = np.empty(len(a))
    for k, val in enumerate(a):
        barv.append(val)
        xy_sum = xy_sum - y_sum
        x2_sum = x2_sum + i_sum - 2 * x_sum
        x_sum = x_sum - i_sum
        front = barv[0]
        if not math.isnan(front):
            i_sum -= 1; y_sum -= front; y2_sum -= front * front
        else:
            na_count -= 1
        barv.pop(0)
        if math.isnan(val):
            na_count += 1
        else:
            i_sum += 1; x_sum += window; x2_sum += window * window
            y_sum += val; y2_sum += val * val; xy_sum += window * val
        N = window - na_count
        with np.errstate(all="ignore"):
            num = np.float64(N * xy_sum - x_sum * y_sum)
            den = np.float64(N * x2_sum - x_sum * x_sum)
            if kind == "slope":
                out[k] = num / den
            elif kind == "resi":
                slope = num / den
                x_mean = np.float64(x_sum) / N if N else np.nan
                y_mean = np.float64(y_sum) / N if N else np.nan
                interp = y_mean - slope * x_mean
                out[k] = val - (slope * window + interp)
            else:
                r = num / np.sqrt(den * np.float64(N * y2_sum - y_sum * y_sum))
                out[k] = r * r
    return out

class Slope(Roll):
    def load(s):
        v = load(s.x); return pd.Series(rolling_pyx(v.values, s.N, "slope"), index=v.index)
class Resi(Roll):
    def load(s):
        v = load(s.x); return pd.Series(rolling_pyx(v.values, s.N, "resi"), index=v.index)
class Rsquare(Roll):
    def load(s):
        v = load(s.x)
        r = pd.Series(rolling_pyx(v.values, s.N, "rsquare"), index=v.index)
        r.loc[np.isclose(v.rolling(s.N, min_periods=1).std(), 0, atol=2e-05)] = np.nan
        return r
class Corr(E):
    def __init__(s, a, b, N): s.a, s.b, s.N = a, b, N
    def load(s):
        a, b = load(s.a), load(s.b)
        res = a.rolling(s.N, min_periods=1).corr(b)
        res.loc[np.isclose(a.rolling(s.N, min_periods=1).std(), 0, atol=2e-05)
                | np.isclose(b.rolling(s.N, min_periods=1).std(), 0, atol=2e-05)] = np.nan
        return res
class Cov(Corr):
    def load(s):
        return load(s.a).rolling(s.N, min_periods=1).cov(load(s.b))

def parse_field(field):
    # qlib/utils/__init__.py parse_field, without the Chinese punctuation.
    for pattern, new in [(r"\$\$(\w+)", r'PFeature("\1")'), (r"\$(\w+)", r'Feature("\1")'), (r"(\w+\s*)\(", r"Operators.\1(")]:
        field = re.sub(pattern, new, field)
    return field

class Ops: pass
Operators = Ops()
for _name, _obj in list(globals().items()):
    if isinstance(_obj, type) or callable(_obj):
        setattr(Operators, _name, _obj)

def evaluate(src, data):
    """Evaluates a Qlib expression over data, a dict of field -> pd.Series."""
    DATA.clear()
    DATA.update(data)
    v = eval(parse_field(src))
    return load(v).astype(np.float64)

EXPRESSIONS = [
    "Mean($x, 5)", "Sum($x, 5)", "Std($x, 5)", "Var($x, 5)", "Max($x, 5)", "Min($x, 5)",
    "Med($x, 6)", "Mad($x, 5)", "Count($x, 5)", "Quantile($x, 7, 0.3)", "Rank($x, 6)",
    "IdxMax($x, 5)", "IdxMin($x, 5)", "Slope($x, 6)", "Rsquare($x, 6)", "Resi($x, 6)",
    "Corr($x, $y, 6)", "Cov($x, $y, 6)", "EMA($x, 5)", "EMA($x, 0.3)", "WMA($x, 5)",
    "Delta($x, 3)", "Ref($x, -2)", "Sign($x-Ref($x, 1))", "Greater($x, $y)", "Less($x, $y)",
    "($x>$y)&($y>10)", "($x<$y)|($y>10.5)", "Not($x>$y)", "If($x>$y, $x, $y)",
    "Abs($x-$y)", "Log($y-10)", "Power($x, 2)", "Mean($x>Ref($x, 1), 5)",
    "$x>=$y", "$x<=$y", "$x==$y", "$x!=$y", "Rank(Ref($x, 1), 4)", "IdxMin(Ref($x, 2), 4)",
]

def series():
    """Two 60-row series with NaN gaps, ties and a constant stretch."""
    rng = np.random.default_rng(7)
    x = np.round(10 + np.cumsum(rng.normal(0, 0.3, 60)), 1)
    y = np.round(10 + np.cumsum(rng.normal(0, 0.3, 60)), 1)
    x[20:27] = 9.5
    for i in (0, 8, 9, 10, 33, 45):
        x[i] = np.nan
    for i in (3, 4, 30, 50, 51):
        y[i] = np.nan
    return {"x": pd.Series(x), "y": pd.Series(y)}

def main():
    data = series()
    cols = {"$x": data["x"].values, "$y": data["y"].values}
    for e in EXPRESSIONS:
        cols[e] = evaluate(e, data).values
    pd.DataFrame(cols).to_csv(sys.argv[1], index=False, float_format="%.17g")

if __name__ == "__main__":
    main()
