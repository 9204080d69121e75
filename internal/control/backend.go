package control

import (
	"context"

	"github.com/wpservice/wpservice/internal/api"
)

// Backend is the engine as the control API sees it.
type Backend interface {
	// Do runs one command. args is the decoded argument struct for cmd (a pointer to the api.*Args type named
	// in internal/api/commands.go, or nil for commands without args). It returns a result to marshal, or an
	// error; an *api.Error (errors.As) is sent as is, any other error becomes code "internal".
	Do(ctx context.Context, cmd string, args any) (any, error)
	// Watch subscribes sink to engine events and returns the hello event (Event "hello", Data api.Hello,
	// Seq = the last seq its snapshot reflects). Every later event (Seq > hello.Seq) goes to sink in order,
	// until cancel is called. sink is called from engine goroutines and must never block.
	Watch(sink func(api.Event)) (hello api.Event, cancel func())
}
