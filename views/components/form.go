package components

// Form is the state of one HTML form: submitted values, per-field errors, a
// form-level error or notice, and the CSRF token.
type Form struct {
	CSRF   string
	Values map[string]string
	Errors map[string]string
	Error  string // form-level problem
	Notice string // form-level success message
}

// Value returns the submitted value of field.
func (f Form) Value(field string) string { return f.Values[field] }

// Err returns the error message of field.
func (f Form) Err(field string) string { return f.Errors[field] }

// Input describes one labelled input.
type Input struct {
	Name         string
	Label        string
	Type         string // text, email, password, …
	Autocomplete string
	Hint         string
	Required     bool
	MaxLength    int
	// Keep says whether to echo the submitted value back (never for passwords).
	Keep bool
}
