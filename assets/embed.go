//go:build !noembed

package assets

import "embed"

//go:embed fashion-mnist/*.gz vaegan/*.safetensors bigbigan/*.safetensors NOTICE
var files embed.FS

func readFile(name string) ([]byte, error) { return files.ReadFile(name) }
