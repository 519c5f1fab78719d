// Package models creates and loads models of every kind by name. It is the
// one place that knows all the implementations, so package model stays free
// of them (and of cgo) and callers need not switch on kinds.
package models

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/quant/model"
	"github.com/qlibpro/qlibpro/internal/quant/model/lgbm"
	"github.com/qlibpro/qlibpro/internal/quant/model/ridge"
	"github.com/qlibpro/qlibpro/internal/quant/model/xgb"
)

// Kinds returns every model kind, the trainable ones first.
func Kinds() []string {
	return []string{model.KindRidge, model.KindXGBoost, model.KindLightGBM}
}

// Trainable reports whether Qlib Pro can train models of kind; the others
// are uploaded.
func Trainable(kind string) bool {
	return kind == model.KindRidge || kind == model.KindXGBoost
}

// DefaultParams returns the training parameters New uses for kind when given
// none, for showing on a form.
func DefaultParams(kind string) (any, error) {
	switch kind {
	case model.KindRidge:
		return ridge.DefaultParams(), nil
	case model.KindXGBoost:
		return xgb.DefaultParams(), nil
	case model.KindLightGBM:
		return nil, notTrainable()
	}
	return nil, unknownKind(kind)
}

// New returns an untrained model of kind over features. params is a JSON
// object of the kind's parameters (ridge.Params, xgb.Params); fields it omits
// keep their defaults, unknown fields are refused, and nil means defaults.
func New(kind string, features []string, params json.RawMessage) (model.Model, error) {
	switch kind {
	case model.KindRidge:
		p := ridge.DefaultParams()
		if err := decode(kind, params, &p); err != nil {
			return nil, err
		}
		return ridge.New(features, p)
	case model.KindXGBoost:
		p := xgb.DefaultParams()
		if err := decode(kind, params, &p); err != nil {
			return nil, err
		}
		return xgb.New(features, p)
	case model.KindLightGBM:
		return nil, notTrainable()
	}
	return nil, unknownKind(kind)
}

// Load restores a model of kind from blob — what Save returned, or for
// LightGBM the uploaded text file — and checks that it reads features in
// order.
func Load(kind string, blob []byte, features []string) (model.Model, error) {
	switch kind {
	case model.KindRidge:
		return ridge.Load(blob, features)
	case model.KindXGBoost:
		return xgb.Load(blob, features)
	case model.KindLightGBM:
		return lgbm.Load(blob, features)
	}
	return nil, unknownKind(kind)
}

func decode(kind string, params json.RawMessage, into any) error {
	if len(bytes.TrimSpace(params)) == 0 || string(bytes.TrimSpace(params)) == "null" {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(params))
	dec.DisallowUnknownFields()
	if err := dec.Decode(into); err != nil {
		return apperr.New(apperr.Invalid, "%s parameters: %s", kind, strings.TrimPrefix(err.Error(), "json: "))
	}
	return nil
}

func notTrainable() error {
	return apperr.New(apperr.Invalid, "LightGBM models are trained elsewhere; upload the text file saved by Qlib's LGBModel instead")
}

func unknownKind(kind string) error {
	return apperr.New(apperr.Invalid, "unknown model kind %q (want one of %s)", kind, strings.Join(Kinds(), ", "))
}
