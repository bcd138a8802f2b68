#!/bin/sh
# Regenerates Sources/TimelineModeration/BuiltInModerationConfig.swift from config/moderation.json.
set -eu
cd "$(dirname "$0")/.."
out=Sources/TimelineModeration/BuiltInModerationConfig.swift
{
  printf '%s\n' '// MARK: - The built-in copy of config/moderation.json'
  printf '%s\n' '//'
  printf '%s\n' '// Generated from config/moderation.json by scripts/embed-moderation-config.sh;'
  printf '%s\n' '// a test checks that both decode to the same configuration.'
  printf '\n'
  printf '%s\n' '/// The text of `config/moderation.json`, compiled into ``ModerationPolicy/builtIn``.'
  printf '%s\n' 'enum BuiltInModerationConfig {'
  printf '%s\n' '    /// The JSON document, byte for byte the file in `config/`.'
  printf '%s\n' '    static let json = #"""'
  cat config/moderation.json
  printf '%s\n' '"""#'
  printf '%s\n' '}'
} > "$out"
