// buildkitParse reads a Dockerfile on stdin with BuildKit's own parser (the one `docker build`
// and `buildah` front ends follow) and prints each instruction as JSON, its words processed as
// BuildKit processes them (quotes removed, escapes applied, variables expanded). A build
// argument expands to <ARG:NAME>, so a test can tell a reference from text that only looks like
// one. Used by dockerfile.buildkit.test.ts; not part of the plugin.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

type argEnv map[string]bool

func (e argEnv) Get(key string) (string, bool) {
	if e[key] {
		return "<ARG:" + key + ">", true
	}
	return "", false
}

func (e argEnv) Keys() []string {
	keys := []string{}
	for k := range e {
		keys = append(keys, k)
	}
	return keys
}

type instruction struct {
	Name         string      `json:"name"`
	Words        []string    `json:"words,omitempty"`
	Pairs        [][2]string `json:"pairs,omitempty"`
	Chown        string      `json:"chown,omitempty"`
	PrependShell bool        `json:"prependShell"`
}

func fail(code int, err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(code)
}

func main() {
	res, err := parser.Parse(os.Stdin)
	if err != nil {
		fail(2, err)
	}
	stages, _, err := instructions.Parse(res.AST, nil)
	if err != nil {
		fail(3, err)
	}
	lex := shell.NewLex(res.EscapeToken)
	env := argEnv{}
	word := func(w string) string {
		out, _, err := lex.ProcessWord(w, env)
		if err != nil {
			fail(4, err)
		}
		return out
	}
	out := []instruction{}
	for _, stage := range stages {
		out = append(out, instruction{Name: "from", Words: []string{stage.BaseName}})
		for _, c := range stage.Commands {
			i := instruction{Name: c.Name()}
			switch c := c.(type) {
			case *instructions.ArgCommand:
				for _, a := range c.Args {
					env[a.Key] = true
					i.Words = append(i.Words, a.Key)
				}
			case *instructions.LabelCommand:
				for _, kv := range c.Labels {
					i.Pairs = append(i.Pairs, [2]string{word(kv.Key), word(kv.Value)})
				}
			case *instructions.EnvCommand:
				for _, kv := range c.Env {
					i.Pairs = append(i.Pairs, [2]string{kv.Key, word(kv.Value)})
				}
			case *instructions.UserCommand:
				i.Words = []string{word(c.User)}
			case *instructions.WorkdirCommand:
				i.Words = []string{word(c.Path)}
			case *instructions.CopyCommand:
				for _, s := range c.SourcePaths {
					i.Words = append(i.Words, word(s))
				}
				i.Words = append(i.Words, word(c.DestPath))
				i.Chown = c.Chown
				if len(c.SourceContents) > 0 {
					fail(5, fmt.Errorf("COPY has a heredoc"))
				}
			case *instructions.ExposeCommand:
				i.Words = c.Ports
			case *instructions.RunCommand:
				i.Words = c.CmdLine
				i.PrependShell = c.PrependShell
				if len(c.Files) > 0 {
					fail(5, fmt.Errorf("RUN has a heredoc"))
				}
			case *instructions.EntrypointCommand:
				i.Words = c.CmdLine
				i.PrependShell = c.PrependShell
			case *instructions.CmdCommand:
				i.Words = c.CmdLine
				i.PrependShell = c.PrependShell
			default:
				fail(6, fmt.Errorf("unexpected instruction %s", c.Name()))
			}
			out = append(out, i)
		}
	}
	if len(res.Warnings) > 0 {
		fail(7, fmt.Errorf("parser warnings: %v", res.Warnings))
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fail(8, err)
	}
}
