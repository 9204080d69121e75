package main

import (
	"context"
	"log/slog"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/phone"
)

// eventLogHandler passes records to next and also publishes them as opt-in "log"
// events, so a page can show the engine log. Attributes named like secrets are dropped.
type eventLogHandler struct {
	next  slog.Handler
	bus   *phone.Bus
	attrs []slog.Attr
}

func newEventLogHandler(next slog.Handler, bus *phone.Bus) slog.Handler {
	return &eventLogHandler{next: next, bus: bus}
}

func (h *eventLogHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

func (h *eventLogHandler) Handle(ctx context.Context, r slog.Record) error {
	attrs := map[string]any{}
	add := func(a slog.Attr) bool {
		switch a.Key {
		case "password", "token", "secret", "authorization":
			return true
		}
		attrs[a.Key] = a.Value.String()
		return true
	}
	for _, a := range h.attrs {
		add(a)
	}
	r.Attrs(add)
	h.bus.Emit(api.EvLog, api.LogEvent{Time: r.Time.UnixMilli(), Level: r.Level.String(), Message: r.Message, Attrs: attrs})
	return h.next.Handle(ctx, r)
}

func (h *eventLogHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &eventLogHandler{next: h.next.WithAttrs(as), bus: h.bus, attrs: append(append([]slog.Attr(nil), h.attrs...), as...)}
}

func (h *eventLogHandler) WithGroup(name string) slog.Handler {
	return &eventLogHandler{next: h.next.WithGroup(name), bus: h.bus, attrs: h.attrs}
}
