//go:build tools

// Package tools pins the Argo CD command (one multi-call binary, chosen by its file name).
package tools

import _ "github.com/argoproj/argo-cd/v3/cmd"
