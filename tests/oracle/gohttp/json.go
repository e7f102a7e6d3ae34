package main

// The json mode: container-create bodies decoded by Go's encoding/json
// into minimal mirrors of the moby types dockerd decodes them into
// (runconfig ContainerConfigWrapper, container.Config and HostConfig,
// strslice.StrSlice), for the fields dockward's rules check.  Compared
// with our Go-semantics reading (tests/unit/gojson_model.c) by
// test_authz_json_diff on tests/data/gojson/cases.json.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
)

// strSlice mirrors strslice.StrSlice: an array of strings, or one string.
type strSlice []string

func (e *strSlice) UnmarshalJSON(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	p := make([]string, 0, 1)
	if err := json.Unmarshal(b, &p); err != nil {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		p = append(p, s)
	}
	*e = p
	return nil
}

type jMount struct {
	Type   string `json:",omitempty"`
	Source string `json:",omitempty"`
	Target string `json:",omitempty"`
}

type jDevice struct {
	PathOnHost        string
	PathInContainer   string
	CgroupPermissions string
}

type jBinding struct {
	HostIP   string `json:"HostIp"`
	HostPort string
}

type Resources struct {
	Devices []jDevice
}

type HostConfig struct {
	Binds           []string
	NetworkMode     string
	PortBindings    map[string][]jBinding
	CapAdd          strSlice
	IpcMode         string
	PidMode         string
	Privileged      bool
	PublishAllPorts bool
	ReadonlyRootfs  bool
	SecurityOpt     []string
	UTSMode         string
	UsernsMode      string
	Resources
	Mounts []jMount `json:",omitempty"`
}

type Config struct {
	User  string
	Env   []string
	Cmd   strSlice
	Image string
}

// jWrapper mirrors runconfig.ContainerConfigWrapper.
type jWrapper struct {
	*Config
	InnerHostConfig *HostConfig `json:"HostConfig,omitempty"`
	*HostConfig
}

// jsonFields decodes body as dockerd does and returns the checked fields
// in the shape of tests/data/gojson/record.sh's filter (Go zero values).
func jsonFields(body []byte) (map[string]interface{}, error) {
	var w jWrapper
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&w); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("unexpected content after JSON")
	}
	c := w.Config
	if c == nil {
		c = &Config{}
	}
	hc := w.HostConfig
	if w.InnerHostConfig != nil {
		hc = w.InnerHostConfig
	}
	if hc == nil {
		hc = &HostConfig{}
	}
	strs := func(v []string) []string {
		if v == nil {
			return []string{}
		}
		return v
	}
	mounts := []map[string]string{}
	for _, m := range hc.Mounts {
		mounts = append(mounts, map[string]string{"Type": m.Type, "Source": m.Source,
			"Target": m.Target})
	}
	devices := []map[string]string{}
	for _, d := range hc.Devices {
		devices = append(devices, map[string]string{"PathOnHost": d.PathOnHost,
			"PathInContainer": d.PathInContainer, "CgroupPermissions": d.CgroupPermissions})
	}
	ports := map[string][]map[string]string{}
	for p, bs := range hc.PortBindings {
		l := []map[string]string{}
		for _, b := range bs {
			l = append(l, map[string]string{"HostIp": b.HostIP, "HostPort": b.HostPort})
		}
		ports[p] = l
	}
	return map[string]interface{}{
		"Image": c.Image, "Cmd": strs(c.Cmd), "User": c.User, "Env": strs(c.Env),
		"Privileged": hc.Privileged, "NetworkMode": hc.NetworkMode, "PidMode": hc.PidMode,
		"IpcMode": hc.IpcMode, "UTSMode": hc.UTSMode, "UsernsMode": hc.UsernsMode,
		"CapAdd": strs(hc.CapAdd), "Binds": strs(hc.Binds), "Mounts": mounts,
		"Devices": devices, "SecurityOpt": strs(hc.SecurityOpt),
		"ReadonlyRootfs": hc.ReadonlyRootfs, "PublishAllPorts": hc.PublishAllPorts,
		"PortBindings": ports,
	}, nil
}

// jsonCases reads a gojson case file and prints, per case, what Go decoded.
func jsonCases(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var f struct {
		Cases []struct {
			Name string `json:"name"`
			Body string `json:"body"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	type answer struct {
		Name   string                 `json:"name"`
		Fields map[string]interface{} `json:"fields,omitempty"`
		Error  string                 `json:"error,omitempty"`
	}
	out := struct {
		Comment string   `json:"comment"`
		Cases   []answer `json:"cases"`
	}{Comment: "What Go's encoding/json decodes from each body of cases.json into mirrors " +
		"of dockerd's types (tests/oracle/gohttp -json); written by record-go.sh."}
	for _, c := range f.Cases {
		a := answer{Name: c.Name}
		if fl, err := jsonFields([]byte(c.Body)); err != nil {
			a.Error = err.Error()
		} else {
			a.Fields = fl
		}
		out.Cases = append(out.Cases, a)
	}
	os.Stdout.Write(encode(out))
	return nil
}
