{{/* The name of the release's objects: <release>-conflux, or the release name when it holds "conflux". */}}
{{- define "conflux.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "conflux.labels" -}}
app.kubernetes.io/name: conflux
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "conflux.selector" -}}
app.kubernetes.io/name: conflux
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* nats.url: natsUrl, or the NATS chart of this release. */}}
{{- define "conflux.natsUrl" -}}
{{- if .Values.natsUrl -}}
{{- .Values.natsUrl -}}
{{- else if .Values.nats.enabled -}}
{{- printf "nats://%s-nats:4222" .Release.Name -}}
{{- else -}}
{{- fail "natsUrl is required when nats.enabled is false" -}}
{{- end -}}
{{- end -}}

{{/* The site's subject token, as proto.SiteToken: the host in lower case, every character outside [a-z0-9_-] as "_". */}}
{{- define "conflux.siteToken" -}}
{{- $host := (urlParse (required "config.site is required" .Values.config.site)).host | lower -}}
{{- regexReplaceAll "[^a-z0-9_-]" $host "_" -}}
{{- end -}}

{{/* The image reference. */}}
{{- define "conflux.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* The durable consumers each stage reads, as proto.Consumers: stage → list of [input, stream]. */}}
{{- define "conflux.consumers" -}}
enumerator: [[crawl, CONFLUX_CRAWL]]
fetcher: [[spaces, CONFLUX_SPACES]]
attachments: [[attachments, CONFLUX_ATTACHMENTS]]
extractor: [[stored, CONFLUX_STORED]]
permissions: [[content, CONFLUX_CONTENT], [extracted, CONFLUX_EXTRACTED]]
sink: [[docs, CONFLUX_DOCS]]
{{- end -}}
