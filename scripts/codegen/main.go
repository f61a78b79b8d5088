// Command codegen generates the Go, Python and Node.js SDKs of the nats-auth provider from its schema.
//
// `pulumi package gen-sdk` (3.259) hands SDK generation to the language host's GeneratePackage,
// which none of the hosts built from the Go module proxy implement; this calls the same codegen
// of pkg/v3 in process instead.
//
//	codegen -schema schema.json -out sdk [-lang go,python,nodejs]
//
// Each language's folder under -out is replaced as a whole, so a field removed from the schema
// leaves no stale file behind.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	nodegen "github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	pygen "github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

// The tool name written into every generated file's "do not edit" header.
const tool = "pulumi-nats-auth codegen"

func main() {
	schemaPath := flag.String("schema", "schema.json", "the provider's schema")
	out := flag.String("out", "sdk", "the folder that receives go/, python/ and nodejs/")
	langs := flag.String("lang", "go,python,nodejs", "comma-separated languages to generate")
	version := flag.String("version", "", "the package version, when the schema has none (package.json's)")
	flag.Parse()
	if err := run(*schemaPath, *out, *version, strings.Split(*langs, ",")); err != nil {
		fmt.Fprintf(os.Stderr, "codegen: %v\n", err)
		os.Exit(1)
	}
}

func run(schemaPath, out, version string, langs []string) error {
	raw, err := os.ReadFile(schemaPath)
	if err != nil {
		return err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(raw, &spec); err != nil {
		return fmt.Errorf("%s: %w", schemaPath, err)
	}
	// The SDKs carry the version the engine asks the plugin for: the plugin reports package.json's.
	if spec.Version == "" {
		spec.Version = version
	}
	if err := defaultLanguages(&spec); err != nil {
		return err
	}
	// BindSpec validates against the package metaschema (ImportSpec would not): a schema error is
	// reported here, not as broken generated code.
	pkg, diags, err := schema.BindSpec(spec, nil, schema.ValidationOptions{})
	if err != nil {
		return err
	}
	if diags.HasErrors() {
		return fmt.Errorf("%s: %s", schemaPath, diags.Error())
	}
	for _, lang := range langs {
		var files map[string][]byte
		switch lang {
		case "go":
			files, err = gogen.GeneratePackage(tool, pkg, nil)
		case "python":
			files, err = pygen.GeneratePackage(tool, pkg, nil, nil)
		case "nodejs":
			files, err = nodegen.GeneratePackage(tool, pkg, nil, nil, false, nil)
			if err == nil {
				files, err = inPackage(files, pkg.Version.String())
			}
		default:
			return fmt.Errorf("unknown language %q (go, python, nodejs)", lang)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", lang, err)
		}
		if err := write(filepath.Join(out, lang), files); err != nil {
			return err
		}
	}
	return nil
}

// defaultLanguages fills what the SDKs need and the schema does not say: the Go module is sdk/go (named
// after the import base path, or pulumi-nats-auth/sdk/go when the schema has none: programs reach it
// with a `replace` to a checkout); the Python package is pulumi_nats_auth, built from a pyproject.toml;
// the Node.js SDK is part of the pulumi-nats-auth npm package.
// What the schema sets wins.
func defaultLanguages(spec *schema.PackageSpec) error {
	if spec.Meta == nil {
		spec.Meta = &schema.MetadataSpec{}
	}
	// Makes the Go codegen write sdk/go/go.mod, so the SDK is a module of its own.
	spec.Meta.SupportPack = true
	if spec.Language == nil {
		spec.Language = map[string]schema.RawMessage{}
	}
	var goInfo gogen.GoPackageInfo
	if err := decode(spec.Language["go"], &goInfo); err != nil {
		return fmt.Errorf("language.go: %w", err)
	}
	if goInfo.ImportBasePath == "" {
		goInfo.ImportBasePath = "pulumi-nats-auth/sdk/go/natsauth"
	}
	var pyInfo pygen.PackageInfo
	if err := decode(spec.Language["python"], &pyInfo); err != nil {
		return fmt.Errorf("language.python: %w", err)
	}
	if pyInfo.PackageName == "" {
		pyInfo.PackageName = "pulumi_nats_auth"
	}
	pyInfo.RespectSchemaVersion = true
	pyInfo.PyProject.Enabled = true
	// The Node.js SDK ships inside the npm package pulumi-nats-auth (see inPackage).
	var nodeInfo nodegen.NodePackageInfo
	if err := decode(spec.Language["nodejs"], &nodeInfo); err != nil {
		return fmt.Errorf("language.nodejs: %w", err)
	}
	if nodeInfo.PackageName == "" {
		nodeInfo.PackageName = "pulumi-nats-auth"
	}
	nodeInfo.RespectSchemaVersion = true
	for lang, info := range map[string]any{"go": goInfo, "python": pyInfo, "nodejs": nodeInfo} {
		raw, err := json.Marshal(info)
		if err != nil {
			return err
		}
		spec.Language[lang] = raw
	}
	return nil
}

// inPackage fits the Node.js SDK to how it ships: compiled inside the pulumi-nats-auth npm package
// (dist/sdk/nodejs, imported as `pulumi-nats-auth/native`), not as a package of its own. So no
// package.json or tsconfig.json of its own (a nested package.json would be a second, unpublished
// package), and the plugin version its resources ask the engine for is written in, as the Go and
// Python SDKs carry it in pulumi-plugin.json, instead of read from that missing package.json.
func inPackage(files map[string][]byte, version string) (map[string][]byte, error) {
	delete(files, "package.json")
	delete(files, "tsconfig.json")
	const read = "let version = require('./package.json').version;"
	util, ok := files["utilities.ts"]
	if !ok || !strings.Contains(string(util), read) {
		return nil, fmt.Errorf("nodejs: utilities.ts no longer reads the version from ./package.json: update inPackage")
	}
	files["utilities.ts"] = []byte(strings.Replace(string(util), read,
		fmt.Sprintf("let version = %q; // the pulumi-nats-auth package's (scripts/codegen)", version), 1))
	for name, text := range files {
		if !strings.HasSuffix(name, ".ts") {
			continue
		}
		t := string(text)
		// pkg/v3 v3.206 writes the imports of types/*.ts as if they sat at the root.
		if strings.HasPrefix(name, "types/") {
			t = strings.NewReplacer(`"./types/`, `"./`, `"./utilities"`, `"../utilities"`).Replace(t)
		}
		files[name] = []byte(compiles(t))
	}
	return files, nil
}

// importLine is a namespace import the generator writes whether or not the file uses it.
var importLine = regexp.MustCompile(`(?m)^import \* as (\w+) from "[^"]+";\n`)

var comments = regexp.MustCompile(`(?s)/\*.*?\*/|//[^\n]*`)

// compiles drops what the package's strict compiler settings (noUnusedLocals, noUnusedParameters)
// refuse in generated code: namespace imports the file never uses, and the `args` of a Provider
// constructor whose provider has no configuration yet.
func compiles(t string) string {
	code := comments.ReplaceAllString(t, "")
	t = importLine.ReplaceAllStringFunc(t, func(line string) string {
		name := importLine.FindStringSubmatch(line)[1]
		used := regexp.MustCompile(`(?m)\b` + name + `\.|^\s+` + name + `,?\s*$`)
		if !used.MatchString(code) {
			return ""
		}
		return line
	})
	const ctor = "constructor(name: string, args?: ProviderArgs,"
	if strings.Contains(t, ctor) && !strings.Contains(t, "args?.") && !strings.Contains(t, "args.") {
		t = strings.Replace(t, ctor, "constructor(name: string, _args?: ProviderArgs,", 1)
	}
	return t
}

func decode(raw schema.RawMessage, into any) error {
	if len(raw) == 0 {
		return nil
	}
	return json.Unmarshal(raw, into)
}

func write(dir string, files map[string][]byte) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, files[name], 0o644); err != nil {
			return err
		}
	}
	return nil
}
