package control

import (
	"fmt"

	"github.com/wpservice/wpservice/internal/api"
)

// level orders permissions so that a higher one includes the lower ones.
type level int32

const (
	levelNone level = iota // not authenticated yet
	levelRead
	levelControl
	levelAccount // control, plus configuring the phone account
	levelAdmin
)

func levelOf(perm string) level {
	switch perm {
	case api.PermRead:
		return levelRead
	case api.PermControl:
		return levelControl
	case api.PermAccount:
		return levelAccount
	case api.PermAdmin:
		return levelAdmin
	}
	return levelNone
}

func (l level) String() string {
	switch l {
	case levelRead:
		return api.PermRead
	case levelControl:
		return api.PermControl
	case levelAccount:
		return api.PermAccount
	case levelAdmin:
		return api.PermAdmin
	}
	return "none"
}

// permit returns nil when a connection with level have may run the command spec
// with args, or a forbidden error naming what is missing. The command's declaration
// gives its permission; some argument values raise it (api.PermRaiser): turning on
// auto-answer (a page could otherwise listen in on the room) needs admin, and the log
// and SIP trace streams need control.
func permit(spec *api.Spec, args any, have level) *api.Error {
	need := levelOf(spec.Perm)
	if r, ok := args.(api.PermRaiser); ok {
		need = max(need, levelOf(r.RequiredPerm()))
	}
	if have >= need {
		return nil
	}
	return api.NewError(api.CodeForbidden,
		fmt.Sprintf("%s needs %s permission; this connection has %s", spec.Name, need, have))
}
