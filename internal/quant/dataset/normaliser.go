package dataset

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/qlibpro/qlibpro/internal/apperr"
)

// Constants of Qlib's RobustZScoreNorm.
const (
	madToStd    = 1.4826 // MAD of a normal distribution × 1.4826 ≈ its std
	madEpsilon  = 1e-12  // added to the MAD before scaling, so a constant feature does not divide by 0
	defaultClip = 3      // clip_outlier bound
)

// FeatureNormaliser is Qlib's RobustZScoreNorm (clip_outlier=True) followed
// by Fillna(0) on the features, as the Linear Alpha158 benchmark configures
// them: each feature is centred on its median over the fit rows, divided by
// (MAD + 1e-12) × 1.4826, clipped to ±Clip, and missing values become 0.
//
// Fit it on the train window only (Qlib fits between fit_start_time and
// fit_end_time, the train segment) and apply it to every panel the model
// sees, including live ones. It marshals to JSON so a model can store it.
type FeatureNormaliser struct {
	Features []string
	// Center is the median of each feature over the fit rows, NaN when the
	// feature had no values there (the feature then normalises to 0).
	Center []float64
	// Scale is (MAD + 1e-12) × 1.4826 of each feature.
	Scale []float64
	// Clip bounds the normalised values to [-Clip, Clip].
	Clip float64
}

// FitNormaliser computes the robust centre and scale of every feature of p,
// skipping missing values like numpy's nanmedian. Infinite values take part,
// as they do in Qlib.
func FitNormaliser(p *Panel) (*FeatureNormaliser, error) {
	if p.Len() == 0 {
		return nil, apperr.FieldError("train", "cannot fit the feature normaliser on an empty dataset")
	}
	nf := len(p.Features)
	n := &FeatureNormaliser{
		Features: slices.Clone(p.Features),
		Center:   make([]float64, nf),
		Scale:    make([]float64, nf),
		Clip:     defaultClip,
	}
	// Gather a few adjacent features per pass over the rows: one column per
	// pass would stride through the whole matrix once for every feature.
	const group = 8
	cols := make([][]float64, group)
	for k := range cols {
		cols[k] = make([]float64, 0, p.Len())
	}
	for g := 0; g < nf; g += group {
		w := min(group, nf-g)
		for k := range w {
			cols[k] = cols[k][:0]
		}
		for _, s := range p.store {
			row := p.x[int(s)*nf+g : int(s)*nf+g+w]
			for k, v := range row {
				if !math.IsNaN(v) {
					cols[k] = append(cols[k], v)
				}
			}
		}
		for k := range w {
			n.Center[g+k], n.Scale[g+k] = robustStats(cols[k])
		}
	}
	return n, nil
}

// robustStats returns the median of a and the scaled MAD, reordering a.
func robustStats(a []float64) (center, scale float64) {
	center = median(a)
	for i, v := range a {
		a[i] = math.Abs(v - center)
	}
	return center, (median(a) + madEpsilon) * madToStd
}

// Apply returns p with its features normalised. The result owns new
// feature storage; p is unchanged.
func (n *FeatureNormaliser) Apply(p *Panel) (*Panel, error) {
	if err := n.checkFeatures(p.Features); err != nil {
		return nil, err
	}
	nf := len(n.Features)
	q := *p
	q.x = make([]float64, p.Len()*nf)
	q.store = make([]int32, p.Len())
	for i := range q.store {
		q.store[i] = int32(i)
		row := q.x[i*nf : (i+1)*nf]
		copy(row, p.X(i))
		n.transform(row)
	}
	return &q, nil
}

// Transform normalises one feature row in place, for scoring a single
// instrument live.
func (n *FeatureNormaliser) Transform(x []float64) error {
	if len(x) != len(n.Features) {
		return apperr.FieldError("features", "row has %d features; the normaliser was fitted on %d",
			len(x), len(n.Features))
	}
	n.transform(x)
	return nil
}

func (n *FeatureNormaliser) transform(x []float64) {
	for f, v := range x {
		z := (v - n.Center[f]) / n.Scale[f]
		switch {
		case math.IsNaN(z):
			z = 0
		case z > n.Clip:
			z = n.Clip
		case z < -n.Clip:
			z = -n.Clip
		}
		x[f] = z
	}
}

func (n *FeatureNormaliser) checkFeatures(features []string) error {
	if len(features) != len(n.Features) {
		return apperr.FieldError("features", "panel has %d features; the normaliser was fitted on %d",
			len(features), len(n.Features))
	}
	for f, name := range features {
		if name != n.Features[f] {
			return apperr.FieldError("features", "panel feature %d is %s; the normaliser has %s there",
				f, name, n.Features[f])
		}
	}
	return nil
}

// normaliserJSON is the stored form. Non-finite numbers, which JSON cannot
// hold, are written as the strings "NaN", "+Inf" and "-Inf".
type normaliserJSON struct {
	Method   string     `json:"method"`
	Features []string   `json:"features"`
	Center   []jsonReal `json:"center"`
	Scale    []jsonReal `json:"scale"`
	Clip     float64    `json:"clip"`
}

const normaliserMethod = "robust_zscore"

// MarshalJSON encodes the normaliser.
func (n *FeatureNormaliser) MarshalJSON() ([]byte, error) {
	return json.Marshal(normaliserJSON{
		Method:   normaliserMethod,
		Features: n.Features,
		Center:   toJSONReals(n.Center),
		Scale:    toJSONReals(n.Scale),
		Clip:     n.Clip,
	})
}

// UnmarshalJSON decodes a normaliser written by MarshalJSON.
func (n *FeatureNormaliser) UnmarshalJSON(data []byte) error {
	var v normaliserJSON
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	if v.Method != normaliserMethod {
		return fmt.Errorf("feature normaliser: method %q, want %q", v.Method, normaliserMethod)
	}
	if len(v.Center) != len(v.Features) || len(v.Scale) != len(v.Features) {
		return fmt.Errorf("feature normaliser: %d features, %d centres, %d scales",
			len(v.Features), len(v.Center), len(v.Scale))
	}
	if !(v.Clip > 0) {
		return fmt.Errorf("feature normaliser: clip %v is not positive", v.Clip)
	}
	*n = FeatureNormaliser{
		Features: v.Features,
		Center:   fromJSONReals(v.Center),
		Scale:    fromJSONReals(v.Scale),
		Clip:     v.Clip,
	}
	return nil
}

// jsonReal is a float64 that survives JSON even when it is NaN or ±Inf.
type jsonReal float64

func (r jsonReal) MarshalJSON() ([]byte, error) {
	f := float64(r)
	switch {
	case math.IsNaN(f):
		return []byte(`"NaN"`), nil
	case math.IsInf(f, 1):
		return []byte(`"+Inf"`), nil
	case math.IsInf(f, -1):
		return []byte(`"-Inf"`), nil
	}
	return strconv.AppendFloat(nil, f, 'g', -1, 64), nil
}

func (r *jsonReal) UnmarshalJSON(data []byte) error {
	switch string(data) {
	case `"NaN"`, "null":
		*r = jsonReal(math.NaN())
	case `"+Inf"`:
		*r = jsonReal(math.Inf(1))
	case `"-Inf"`:
		*r = jsonReal(math.Inf(-1))
	default:
		f, err := strconv.ParseFloat(string(data), 64)
		if err != nil {
			return fmt.Errorf("feature normaliser: %s is not a number", data)
		}
		*r = jsonReal(f)
	}
	return nil
}

func toJSONReals(fs []float64) []jsonReal {
	out := make([]jsonReal, len(fs))
	for i, f := range fs {
		out[i] = jsonReal(f)
	}
	return out
}

func fromJSONReals(rs []jsonReal) []float64 {
	out := make([]float64, len(rs))
	for i, r := range rs {
		out[i] = float64(r)
	}
	return out
}
