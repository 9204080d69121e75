package control

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/wpservice/wpservice/internal/api"
)

// request is a decoded command envelope.
type request struct {
	ID   string
	Cmd  string
	Args any // from command.newArgs, or nil
}

// isEnvelopeField reports whether k is a key a request object may carry.
func isEnvelopeField(k string) bool { return k == "id" || k == "cmd" || k == "args" }

// decodeRequest decodes and validates one client message against the routes. On failure
// it returns an error with code bad_request, unknown_command or invalid_args, and
// the request's ID when it could be read.
func decodeRequest(table commandTable, msg []byte) (request, *api.Error) {
	var req request
	var env map[string]json.RawMessage
	if err := json.Unmarshal(msg, &env); err != nil || env == nil {
		if err == nil || json.Valid(msg) {
			return req, api.NewError(api.CodeBadRequest, "request must be a JSON object")
		}
		return req, api.NewError(api.CodeBadRequest, "malformed JSON: "+jsonMessage(err))
	}
	if raw, ok := env["id"]; ok {
		if err := json.Unmarshal(raw, &req.ID); err != nil {
			return req, api.NewError(api.CodeBadRequest, "id must be a string")
		}
	}
	if req.ID == "" {
		return req, api.NewError(api.CodeBadRequest, "missing id")
	}
	if k, found := firstUnknown(env, isEnvelopeField); found {
		return req, api.NewError(api.CodeBadRequest, fmt.Sprintf("unknown field %q", k))
	}
	if raw, ok := env["cmd"]; ok {
		if err := json.Unmarshal(raw, &req.Cmd); err != nil {
			return req, api.NewError(api.CodeBadRequest, "cmd must be a string")
		}
	}
	if req.Cmd == "" {
		return req, api.NewError(api.CodeBadRequest, "missing cmd")
	}
	r, known := table[req.Cmd]
	if !known {
		return req, api.NewError(api.CodeUnknownCommand, fmt.Sprintf("unknown command %q", req.Cmd))
	}
	args, err := decodeArgs(r, env["args"])
	if err != nil {
		return req, err
	}
	req.Args = args
	return req, nil
}

// decodeArgs decodes raw strictly into a fresh argument struct of cmd: absent or
// null args are an empty object, every key must be one of the struct's exact JSON
// names, and every value must have the field's type.
func decodeArgs(r route, raw json.RawMessage) (any, *api.Error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		raw = json.RawMessage("{}")
	}
	var keys map[string]json.RawMessage
	if raw[0] != '{' || json.Unmarshal(raw, &keys) != nil {
		return nil, api.NewError(api.CodeInvalidArgs, "args must be a JSON object")
	}
	if k, found := firstUnknown(keys, func(k string) bool { return r.fields[k] }); found {
		return nil, api.NewError(api.CodeInvalidArgs, fmt.Sprintf("unknown field %q", k))
	}
	args := r.newArgs()
	if args == nil {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(args); err != nil {
		return nil, api.NewError(api.CodeInvalidArgs, argsMessage(err))
	}
	return args, nil
}

// argsMessage says which field of the args was wrong and how.
func argsMessage(err error) string {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		field := typeErr.Field
		if i := strings.LastIndexByte(field, '.'); i >= 0 {
			field = field[i+1:] // drop Go names of embedded structs
		}
		return fmt.Sprintf("field %q: want %s, got %s", field, jsonKind(typeErr.Type), typeErr.Value)
	}
	return "invalid args: " + jsonMessage(err)
}

// jsonKind names t as a JSON type.
func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "integer"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "non-negative integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice, reflect.Array:
		return "array"
	default:
		return "object"
	}
}

func jsonMessage(err error) string { return strings.TrimPrefix(err.Error(), "json: ") }

// firstUnknown returns the smallest key of m that is not known. The empty string
// is a key like any other: {"":1} is an unknown field, not "nothing unknown".
func firstUnknown[V any](m map[string]V, known func(string) bool) (string, bool) {
	var unknown []string
	for k := range m {
		if !known(k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) == 0 {
		return "", false
	}
	return slices.Min(unknown), true
}

// jsonFields lists the JSON names of a struct's fields, flattening embedded structs
// the way encoding/json does.
func jsonFields(t reflect.Type) map[string]bool {
	names := map[string]bool{}
	for f := range t.Fields() {
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		switch {
		case f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct:
			for n := range jsonFields(f.Type) {
				names[n] = true
			}
		case !f.IsExported():
		case name == "":
			names[f.Name] = true
		default:
			names[name] = true
		}
	}
	return names
}
