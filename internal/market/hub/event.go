package hub

import (
	"errors"
	"io"
	"strconv"
	"strings"
	"time"
)

// Format chooses what a subscription receives.
type Format uint8

// Formats: HTML events replace one table row each (htmx's sse-swap listens
// for "quote-BHP"); JSON events all share the name JSONEventName and carry the
// code in their data, for programs and charts.
const (
	HTML Format = iota
	JSON
	numFormats
)

// String names the format as used in query strings ("html", "json").
func (f Format) String() string {
	switch f {
	case HTML:
		return "html"
	case JSON:
		return "json"
	}
	return "Format(" + strconv.Itoa(int(f)) + ")"
}

// JSONEventName is the SSE event name of every JSON-format event.
const JSONEventName = "q"

// HTMLEventName is the SSE event name of code's HTML row ("quote-BHP"), the
// value of that row's sse-swap attribute.
func HTMLEventName(code string) string { return "quote-" + code }

// Event is one quote update in one format. Events from the hub are shared by
// every subscriber and must not be modified: Data is the renderer's bytes, and
// the hub also keeps the event's encoded SSE frame, which WriteSSE writes.
type Event struct {
	ID       uint64    // monotonic per hub; the HTML and JSON events of one update share it
	Name     string    // SSE event name
	Data     []byte    // HTML fragment or JSON
	TickTime time.Time // exchange time of the update's last tick; zero in snapshots

	frame []byte // the whole SSE frame, encoded once by the hub
}

// newEvent builds an event and encodes its frame.
func newEvent(id uint64, name string, data []byte, tickTime time.Time) Event {
	ev := Event{ID: id, Name: name, Data: data, TickTime: tickTime}
	ev.frame = appendFrame(make([]byte, 0, frameSize(ev)), ev)
	return ev
}

// errBadName is returned for an event name that would break the stream's framing.
var errBadName = errors.New("hub: SSE event name contains a line break")

// WriteSSE writes ev in the text/event-stream format: an id line (unless ID
// is 0), an event line (unless Name is empty), one data line per line of Data
// and a blank line. Events from the hub are written with a single Write of
// their pre-encoded frame, so a thousand subscribers cost a thousand copies
// and no encoding.
func WriteSSE(w io.Writer, ev Event) error {
	if ev.frame != nil {
		_, err := w.Write(ev.frame)
		return err
	}
	if strings.ContainsAny(ev.Name, "\r\n") {
		return errBadName
	}
	_, err := w.Write(appendFrame(make([]byte, 0, frameSize(ev)), ev))
	return err
}

// WriteComment writes an SSE comment, which clients ignore: a heartbeat that
// keeps proxies from closing an idle stream and lets the server notice a gone
// client. Each line of text becomes one comment line.
func WriteComment(w io.Writer, text string) error {
	b := make([]byte, 0, len(text)+8)
	b = appendLines(b, ":", []byte(text))
	b = append(b, '\n')
	_, err := w.Write(b)
	return err
}

func frameSize(ev Event) int { return len(ev.Name) + len(ev.Data) + 48 }

func appendFrame(b []byte, ev Event) []byte {
	if ev.ID != 0 {
		b = append(b, "id: "...)
		b = strconv.AppendUint(b, ev.ID, 10)
		b = append(b, '\n')
	}
	if ev.Name != "" {
		b = append(b, "event: "...)
		b = append(b, ev.Name...)
		b = append(b, '\n')
	}
	b = appendLines(b, "data:", ev.Data)
	return append(b, '\n')
}

// appendLines writes each line of text after prefix (and a space when the
// line is not empty). A browser ends a line at CR, LF or CRLF, so all three
// split here; otherwise a stray CR in a fragment would cut the event short.
func appendLines(b []byte, prefix string, text []byte) []byte {
	for {
		end, next := len(text), len(text)
		for i, c := range text {
			if c == '\n' || c == '\r' {
				end, next = i, i+1
				if c == '\r' && i+1 < len(text) && text[i+1] == '\n' {
					next++
				}
				break
			}
		}
		b = append(b, prefix...)
		if end > 0 {
			b = append(b, ' ')
			b = append(b, text[:end]...)
		}
		b = append(b, '\n')
		if next == len(text) && end == len(text) {
			return b
		}
		text = text[next:]
	}
}
