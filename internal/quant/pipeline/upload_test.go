package pipeline_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/quant/alpha158"
	"github.com/qlibpro/qlibpro/internal/quant/model/modeltest"
	"github.com/qlibpro/qlibpro/internal/quant/pipeline"
	"github.com/qlibpro/qlibpro/internal/testenv"
)

func TestUploadLightGBM(t *testing.T) {
	t.Parallel()
	f := mustSetup(t)
	ctx := t.Context()
	names := alpha158.Names()
	blob, _ := modeltest.LightGBMText(7, names, 30, 8)

	v, err := f.p.UploadLightGBM(ctx, pipeline.Upload{Blob: blob, Features: names, Test: segments.Test, Activate: true})
	if err != nil {
		t.Fatal(err)
	}
	if v.Name != "lightgbm" || v.Kind != "lightgbm" || v.Version != 1 || !v.Active || v.Test != segments.Test ||
		!v.Train.IsZero() || v.Metrics.Days < 200 || len(v.Importance) != 158 {
		t.Errorf("upload = %s/%s v%d active %v, test %v, train %v, %d test days, %d importances; want lightgbm v1 active, measured on the test window, 158 importances",
			v.Name, v.Kind, v.Version, v.Active, v.Test, v.Train, v.Metrics.Days, len(v.Importance))
	}
	res, err := f.p.Score(ctx, testenv.Date(t, "2022-12-30"))
	if err != nil || len(res.Models) != 1 || res.Models[0].Scored != res.Instruments || res.Instruments < 10 {
		t.Errorf("Score with the uploaded model = %+v (%v)", res, err)
	}
	s, err := f.p.LatestSignal(ctx, "CSL", "lightgbm")
	if err != nil || s.VersionID != v.ID {
		t.Errorf("LatestSignal(CSL, lightgbm) = %+v (%v)", s, err)
	}

	swapped := slices.Clone(names)
	swapped[3], swapped[4] = swapped[4], swapped[3]
	subset, _ := modeltest.LightGBMText(8, []string{"ROC5", "KMID", "STD20"}, 5, 4)
	tests := []struct {
		name      string
		up        pipeline.Upload
		wantCode  apperr.Code
		wantField string
		wantText  string
	}{
		{"Swapped", pipeline.Upload{Blob: blob, Features: swapped}, apperr.Invalid, "model", "out of order"},
		{"Short", pipeline.Upload{Blob: blob, Features: names[:150]}, apperr.Invalid, "model", "missing from the list"},
		{"NotAlpha158", pipeline.Upload{Blob: blob, Features: append(slices.Clone(names[:157]), "FOO")}, apperr.Invalid, "features", "not alpha158 features: FOO"},
		{"NotAModel", pipeline.Upload{Blob: []byte("hello"), Features: names}, apperr.Invalid, "model", "not a valid LightGBM text model"},
		{"UnknownAuthor", pipeline.Upload{Name: "lgb-other", Blob: blob, Features: names, AuthorID: new(int64(424242))}, apperr.Invalid, "author_id", "no user 424242 to record"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.p.UploadLightGBM(ctx, tt.up)
			e, ok := apperr.As(err)
			if !ok || e.Code != tt.wantCode || e.Field != tt.wantField || !strings.Contains(e.Message, tt.wantText) {
				t.Errorf("UploadLightGBM error = %v, want %s on %s mentioning %q", err, tt.wantCode, tt.wantField, tt.wantText)
			}
		})
	}
	t.Run("SubsetInAnyOrder", func(t *testing.T) {
		v, err := f.p.UploadLightGBM(ctx, pipeline.Upload{Name: "lgb-small", Blob: subset,
			Features: []string{"ROC5", "KMID", "STD20"}, Test: segments.Test})
		if err != nil || v.Active || len(v.Features) != 3 {
			t.Errorf("subset upload = %+v (%v), want an inactive 3-feature version", v, err)
		}
	})
}
