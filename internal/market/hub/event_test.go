package hub

import (
	"strings"
	"testing"
	"time"
)

func TestWriteSSE(t *testing.T) {
	tests := []struct {
		name string
		ev   Event
		want string
	}{
		{"OneLine", Event{ID: 7, Name: "quote-BHP", Data: []byte(`<tr id="quote-BHP"></tr>`)},
			"id: 7\nevent: quote-BHP\ndata: <tr id=\"quote-BHP\"></tr>\n\n"},
		{"Lines", Event{ID: 8, Name: "q", Data: []byte("a\nb\r\nc\rd")},
			"id: 8\nevent: q\ndata: a\ndata: b\ndata: c\ndata: d\n\n"},
		{"TrailingNewline", Event{ID: 9, Name: "q", Data: []byte("a\n")}, "id: 9\nevent: q\ndata: a\ndata:\n\n"},
		{"BlankLineInside", Event{ID: 9, Name: "q", Data: []byte("a\n\nb")}, "id: 9\nevent: q\ndata: a\ndata:\ndata: b\n\n"},
		{"NoIDNoName", Event{Data: []byte("x")}, "data: x\n\n"},
		{"EmptyData", Event{ID: 1, Name: "q"}, "id: 1\nevent: q\ndata:\n\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sb strings.Builder
			if err := WriteSSE(&sb, tt.ev); err != nil {
				t.Fatal(err)
			}
			if got := sb.String(); got != tt.want {
				t.Errorf("WriteSSE = %q, want %q", got, tt.want)
			}
			// The hub's pre-encoded frame is byte for byte the same.
			sb.Reset()
			if err := WriteSSE(&sb, newEvent(tt.ev.ID, tt.ev.Name, tt.ev.Data, time.Time{})); err != nil {
				t.Fatal(err)
			}
			if got := sb.String(); got != tt.want {
				t.Errorf("frame = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestWriteSSERejectsNameWithNewline(t *testing.T) {
	var sb strings.Builder
	if err := WriteSSE(&sb, Event{Name: "q\ndata: injected", Data: []byte("x")}); err == nil {
		t.Error("WriteSSE accepted a name with a line break")
	}
	if sb.Len() != 0 {
		t.Errorf("wrote %q, want nothing", sb.String())
	}
}

func TestWriteComment(t *testing.T) {
	tests := []struct{ text, want string }{
		{"", ":\n\n"},
		{"ping", ": ping\n\n"},
		{"a\nb", ": a\n: b\n\n"},
	}
	for _, tt := range tests {
		var sb strings.Builder
		if err := WriteComment(&sb, tt.text); err != nil {
			t.Fatal(err)
		}
		if got := sb.String(); got != tt.want {
			t.Errorf("WriteComment(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestFormatString(t *testing.T) {
	for f, want := range map[Format]string{HTML: "html", JSON: "json", 9: "Format(9)"} {
		if got := f.String(); got != want {
			t.Errorf("Format(%d).String() = %q, want %q", f, got, want)
		}
	}
}
