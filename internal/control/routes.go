package control

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/wpservice/wpservice/internal/api"
)

// route is how the server runs one declared command: the JSON names its args may
// carry, and the function that answers it on a connection.
type route struct {
	spec   *api.Spec
	fields map[string]bool
	serve  func(c *conn, ctx context.Context, id string, args any) api.Response
}

// commandTable maps every declared command's name to its route.
type commandTable map[string]route

// newArgs returns a fresh *Args of the command, or nil when it takes none.
func (r route) newArgs() any {
	if r.spec.Args == nil {
		return nil
	}
	return reflect.New(r.spec.Args).Interface()
}

func newRoute(spec *api.Spec, serve func(c *conn, ctx context.Context, id string, args any) api.Response) route {
	r := route{spec: spec, fields: map[string]bool{}, serve: serve}
	if spec.Args != nil {
		r.fields = jsonFields(spec.Args)
	}
	return r
}

// connCommand binds a command that control answers itself, per connection, to a
// typed method of conn.
func connCommand[A, R any](cmd api.Command[A, R], f func(c *conn, args *A) (R, error)) route {
	return newRoute(cmd.Spec, func(c *conn, ctx context.Context, id string, args any) api.Response {
		h := api.Handle(cmd, func(_ context.Context, a *A) (R, error) { return f(c, a) })
		result, err := h.Run(ctx, args)
		return respond(id, result, err)
	})
}

// ownRoutes are the commands control answers itself: they concern the connection
// (its authentication and subscriptions) or the pairing gate, not the engine.
func ownRoutes() []route {
	return []route{
		newRoute(api.CmdAuth.Spec, func(c *conn, _ context.Context, id string, args any) api.Response {
			return c.authenticate(id, args.(*api.AuthArgs))
		}),
		connCommand(api.CmdEventsSubscribe, (*conn).subscribe),
		connCommand(api.CmdPairList, func(c *conn, _ *api.NoArgs) (api.PairingList, error) { return c.gate.list(), nil }),
		connCommand(api.CmdPairApprove, (*conn).approvePairing),
		connCommand(api.CmdPairRequest, (*conn).requestMore),
		connCommand(api.CmdPairDeny, pairCommand((*gate).deny, "denied")),
		connCommand(api.CmdPairRevoke, pairCommand((*gate).revoke, "revoked")),
	}
}

// buildRoutes joins control's own routes and the engine's handlers into one table.
// Every declared command must have exactly one handler: a command declared in
// internal/api and handled nowhere, or handled twice, or a handler of an undeclared
// command, is an error here, at start-up.
func buildRoutes(engine []api.Handler) (commandTable, error) {
	table := commandTable{}
	add := func(r route) error {
		if declared, ok := api.Lookup(r.spec.Name); !ok || declared != r.spec {
			return fmt.Errorf("%w: %s is not declared in internal/api", ErrHandlers, r.spec.Name)
		}
		if _, dup := table[r.spec.Name]; dup {
			return fmt.Errorf("%w: %s has two handlers", ErrHandlers, r.spec.Name)
		}
		table[r.spec.Name] = r
		return nil
	}
	for _, r := range ownRoutes() {
		if err := add(r); err != nil {
			return nil, err
		}
	}
	for _, h := range engine {
		if h.Spec == nil || h.Run == nil {
			return nil, fmt.Errorf("%w: an engine handler without a command or a function", ErrHandlers)
		}
		run := h.Run
		if err := add(newRoute(h.Spec, func(c *conn, ctx context.Context, id string, args any) api.Response {
			ctx, cancel := context.WithTimeout(ctx, c.t.commandTimeout)
			defer cancel()
			result, err := run(ctx, args)
			return respond(id, result, err)
		})); err != nil {
			return nil, err
		}
	}
	var missing []string
	for _, s := range api.Specs() {
		if _, ok := table[s.Name]; !ok {
			missing = append(missing, s.Name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%w: no handler for %s", ErrHandlers, strings.Join(missing, ", "))
	}
	return table, nil
}

// ownCommands lists the names of the commands control answers itself, sorted.
func ownCommands() []string {
	var names []string
	for _, r := range ownRoutes() {
		names = append(names, r.spec.Name)
	}
	slices.Sort(names)
	return names
}

// respond turns a handler's outcome into the response for id: the result, {} for
// none, or the error's wire form.
func respond(id string, result any, err error) api.Response {
	if err != nil {
		return api.Fail(id, WireError(err))
	}
	if result == nil {
		result = struct{}{}
	}
	return api.OK(id, result)
}
