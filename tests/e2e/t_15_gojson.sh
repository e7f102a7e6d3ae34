# shellcheck shell=bash
# The recorded dockerd answers (tests/data/gojson/recorded.json, read by the
# differential unit test and fuzz target) still hold for this dockerd: a few
# representative bodies are posted again, straight to the engine socket, with
# the recorder itself (record.sh), and compared with the recording.  Only in
# gatekeeper mode, where dockerd has no authorization plugin to refuse them.

if [ "$E2E_MODE" = gatekeeper ] && [ -z "${E2E_NO_PLUGIN:-}" ]; then
	gojson_dir=$here/../data/gojson
	gojson_cases=(plain_hostconfig fold_long_s_hostconfig fold_kelvin_networkmode
		dup_case_scalar dup_long_s_object type_bool_string legacy_top_with_hostconfig)

	expect_ok -n "gojson: record.sh re-posts ${#gojson_cases[@]} recorded bodies to dockerd" \
		env RECORD_TIMEOUT="$E2E_TIMEOUT" "$gojson_dir/record.sh" "$ENGINE_SOCK" \
		"$T/gojson-live.json" "${gojson_cases[@]}"

	# gojson_same NAME: the live answer equals the recorded one (status and
	# fields, or status and error).
	gojson_same() {
		jq -n -r --arg n "$1" --slurpfile live "$T/gojson-live.json" \
			--slurpfile rec "$gojson_dir/recorded.json" '
			def pick: {status, fields, error};
			($live[0].cases[] | select(.name == $n) | pick) as $l
			| ($rec[0].cases[] | select(.name == $n) | pick) as $r
			| if $l == $r then "same as recorded"
			  else "differs: live \($l | tojson), recorded \($r | tojson)" end'
	}
	for c in "${gojson_cases[@]}"; do
		expect_out -n "gojson: dockerd reads $c as recorded ($(jq -r .dockerd \
			"$gojson_dir/recorded.json"))" "same as recorded" gojson_same "$c"
	done

	# record.sh removes what it creates; a run cut short may leave some.
	for c in $(curl -sS --max-time 10 --unix-socket "$ENGINE_SOCK" \
	    'http://localhost/v1.41/containers/json?all=1&filters=%7B%22name%22%3A%5B%22gojson-%22%5D%7D' |
	    jq -r '.[].Id' 2>/dev/null); do
		curl -sS --max-time 30 --unix-socket "$ENGINE_SOCK" -X DELETE \
			"http://localhost/v1.41/containers/$c?force=1" >/dev/null
	done
	unset -f gojson_same
	unset gojson_dir gojson_cases c
fi
