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
	levelAdmin
)

func levelOf(perm string) level {
	switch perm {
	case api.PermRead:
		return levelRead
	case api.PermControl:
		return levelControl
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
	case levelAdmin:
		return api.PermAdmin
	}
	return "none"
}

// required is the permission each command needs. Observing needs read; anything
// that places, answers or shapes calls needs control; the account, its credentials
// and the list of approved origins need admin.
var required = map[string]level{
	api.CmdAuth:            levelNone,
	api.CmdStatus:          levelRead,
	api.CmdAccountGet:      levelRead,
	api.CmdSettingsGet:     levelRead,
	api.CmdDevicesList:     levelRead,
	api.CmdEventsSubscribe: levelRead,
	api.CmdRegister:        levelControl,
	api.CmdUnregister:      levelControl,
	api.CmdCallDial:        levelControl,
	api.CmdCallAnswer:      levelControl,
	api.CmdCallReject:      levelControl,
	api.CmdCallHangup:      levelControl,
	api.CmdCallDTMF:        levelControl,
	api.CmdCallMute:        levelControl,
	api.CmdCallHold:        levelControl,
	api.CmdCallIgnore:      levelControl,
	api.CmdDevicesVolume:   levelControl,
	api.CmdLineSelect:      levelControl,
	api.CmdDevicesSelect:   levelControl,
	api.CmdSettingsSet:     levelControl,
	api.CmdAccountSet:      levelAdmin,
	api.CmdPairList:        levelAdmin,
	api.CmdPairApprove:     levelAdmin,
	api.CmdPairDeny:        levelAdmin,
	api.CmdPairRevoke:      levelAdmin,
}

// permit returns nil when a connection with level have may run cmd with args, or a
// forbidden error naming what is missing. Two arguments raise the bar: turning on
// auto-answer (a page could otherwise listen in on the room) needs admin, and the
// log and SIP trace streams need control.
func permit(cmd string, args any, have level) *api.Error {
	need, known := required[cmd]
	if !known {
		need = levelAdmin // a command added without a permission is admin-only
	}
	switch a := args.(type) {
	case *api.SettingsArgs:
		if a.AutoAnswer != nil {
			need = max(need, levelAdmin)
		}
	case *api.SubscribeArgs:
		if a.Log || a.SIPTrace {
			need = max(need, levelControl)
		}
	}
	if have >= need {
		return nil
	}
	return api.NewError(api.CodeForbidden,
		fmt.Sprintf("%s needs %s permission; this connection has %s", cmd, need, have))
}
