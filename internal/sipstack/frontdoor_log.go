package sipstack

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Bad packets must not flood the log: a sender chooses how many it sends and what
// they hold. Lines about them come at most logBurst times per logInterval per kind,
// the next one telling how many were left out; their content is shown only when the
// log is at debug level, and then at most maxLogContent bytes of it.

// logLimiter counts the lines of each kind in the current interval.
type logLimiter struct {
	now func() time.Time

	mu    sync.Mutex
	kinds map[string]*logWindow
}

type logWindow struct {
	start      time.Time
	lines      int
	suppressed int
}

func newLogLimiter() *logLimiter {
	return &logLimiter{now: time.Now, kinds: map[string]*logWindow{}}
}

// allow reports whether a line of kind may be written now, and how many lines of
// that kind were left out before it.
func (l *logLimiter) allow(kind string) (ok bool, suppressed int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	w := l.kinds[kind]
	if w == nil {
		w = &logWindow{start: now}
		l.kinds[kind] = w
	}
	if now.Sub(w.start) >= logInterval {
		w.start, w.lines = now, 0
	}
	if w.lines >= logBurst {
		w.suppressed++
		return false, 0
	}
	w.lines++
	suppressed, w.suppressed = w.suppressed, 0
	return true, suppressed
}

// quietLog writes the door's own lines, limited per kind.
type quietLog struct {
	log   *slog.Logger
	limit *logLimiter
}

func newQuietLog(log *slog.Logger) *quietLog {
	return &quietLog{log: log, limit: newLogLimiter()}
}

// note writes msg at info level, unless too many lines of kind came lately.
func (q *quietLog) note(kind, msg string, args ...any) {
	ok, suppressed := q.limit.allow(kind)
	if !ok {
		return
	}
	if suppressed > 0 {
		args = append(args, "suppressed", suppressed)
	}
	q.log.Info(msg, args...)
}

// quietHandler is the handler of sipgo's loggers: it passes lines to ours, limits
// those at warning level and above per message, and replaces the "data" sipgo
// attaches (a whole packet, at error level) by its length, with at most
// maxLogContent bytes of it when the log is at debug level. A line carrying a packet
// is about the sender's packet, not our fault: it goes at warning level.
type quietHandler struct {
	inner slog.Handler
	limit *logLimiter
}

func newQuietHandler(inner slog.Handler) *quietHandler {
	return &quietHandler{inner: inner, limit: newLogLimiter()}
}

func (h *quietHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.inner.Enabled(ctx, level)
}

func (h *quietHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level < slog.LevelWarn {
		return h.inner.Handle(ctx, r)
	}
	ok, suppressed := h.limit.allow(r.Message)
	if !ok {
		return nil
	}
	out := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
	r.Attrs(func(a slog.Attr) bool {
		if a.Key != "data" {
			out.AddAttrs(a)
			return true
		}
		data := a.Value.String()
		out.Level = slog.LevelWarn
		out.AddAttrs(slog.Int("bytes", len(data)))
		if h.inner.Enabled(ctx, slog.LevelDebug) {
			out.AddAttrs(slog.String("data", truncate(data, maxLogContent)))
		}
		return true
	})
	if suppressed > 0 {
		out.AddAttrs(slog.Int("suppressed", suppressed))
	}
	if !h.inner.Enabled(ctx, out.Level) {
		return nil
	}
	return h.inner.Handle(ctx, out)
}

func (h *quietHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &quietHandler{inner: h.inner.WithAttrs(attrs), limit: h.limit}
}

func (h *quietHandler) WithGroup(name string) slog.Handler {
	return &quietHandler{inner: h.inner.WithGroup(name), limit: h.limit}
}

// truncate cuts s to at most n bytes, saying so.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
