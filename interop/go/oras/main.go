// Command orastool pushes and pulls a directory the way the oras 0.x CLI did,
// with the library that CLI was built on (oras-go 1.1.1, Debian's
// golang-oras-oras-go-dev), over plain HTTP:
//
//	orastool push REF DIR      like `oras push --plain-http REF DIR`
//	orastool pull REF OUTDIR   like `oras pull --plain-http REF -o OUTDIR`
//
// push packs DIR with oras-go's file store: one tar+gzip layer
// (application/vnd.oci.image.layer.v1.tar+gzip) annotated with
// org.opencontainers.image.title = the cleaned DIR name,
// io.deis.oras.content.unpack = "true" and io.deis.oras.content.digest, files
// under <title>/ in the tar; a "{}" config of type
// application/vnd.unknown.config.v1+json. It prints "digest: sha256:..." (the
// manifest's). pull unpacks such a layer into OUTDIR/<title>/ and prints one
// "layer: <title> <mediaType> <digest>" line per layer it stored, then the
// "digest: ..." line. Exit status 0 iff it worked; errors go to stderr.
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/pkg/content"
	"oras.land/oras-go/pkg/oras"
)

func main() {
	if len(os.Args) != 4 || (os.Args[1] != "push" && os.Args[1] != "pull") {
		fmt.Fprintln(os.Stderr, "usage: orastool push REF DIR | orastool pull REF OUTDIR")
		os.Exit(2)
	}
	var err error
	if os.Args[1] == "push" {
		err = push(os.Args[2], os.Args[3])
	} else {
		err = pull(os.Args[2], os.Args[3])
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "orastool %s %s: %v\n", os.Args[1], os.Args[2], err)
		os.Exit(1)
	}
}

func registry() (*content.Registry, error) {
	return content.NewRegistry(content.RegistryOptions{PlainHTTP: true})
}

// push follows oras 0.x cmd/oras/push.go: file store, Add(name, "", path) per
// argument with name = filepath.Clean(path), GenerateManifestAndConfig, Copy.
func push(ref, dir string) error {
	ctx := context.Background()
	store := content.NewFile("")
	defer store.Close()

	name := filepath.Clean(dir)
	if !filepath.IsAbs(name) {
		name = filepath.ToSlash(name)
	}
	layer, err := store.Add(name, "", dir)
	if err != nil {
		return fmt.Errorf("packing %s: %w", dir, err)
	}
	manifest, manifestDesc, config, configDesc, err := content.GenerateManifestAndConfig(nil, nil, layer)
	if err != nil {
		return err
	}
	if err := store.Load(configDesc, config); err != nil {
		return err
	}
	if err := store.StoreManifest(ref, manifestDesc, manifest); err != nil {
		return err
	}
	reg, err := registry()
	if err != nil {
		return err
	}
	desc, err := oras.Copy(ctx, store, ref, reg, "")
	if err != nil {
		return err
	}
	fmt.Printf("digest: %s\n", desc.Digest)
	return nil
}

// pull follows oras 0.x cmd/oras/pull.go: file store rooted at OUTDIR, the
// default allowed media types (plain and tar+gzip layers), Copy.
func pull(ref, outDir string) error {
	ctx := context.Background()
	store := content.NewFile(outDir)
	defer store.Close()

	reg, err := registry()
	if err != nil {
		return err
	}
	var layers []ocispec.Descriptor
	desc, err := oras.Copy(ctx, reg, ref, store, "",
		oras.WithAllowedMediaTypes([]string{content.DefaultBlobMediaType, content.DefaultBlobDirMediaType}),
		oras.WithLayerDescriptors(func(l []ocispec.Descriptor) { layers = l }))
	if err != nil {
		return err
	}
	stored := 0
	for _, l := range layers {
		if title, ok := content.ResolveName(l); ok {
			fmt.Printf("layer: %s %s %s\n", title, l.MediaType, l.Digest)
			stored++
		}
	}
	if stored == 0 {
		return fmt.Errorf("no layer with a %s annotation was stored (manifest %s)", ocispec.AnnotationTitle, desc.Digest)
	}
	fmt.Printf("digest: %s\n", desc.Digest)
	return nil
}
