{{/* Labels of every object: the caller's labels, then the chart's own (which win). */}}
{{- define "dag-installer.labels" -}}
{{- $own := dict "app.kubernetes.io/name" "dag-installer" "app.kubernetes.io/instance" .Release.Name "app.kubernetes.io/version" .Chart.Version "helm.sh/chart" (printf "%s-%s" .Chart.Name .Chart.Version) -}}
{{- toYaml (merge $own .Values.labels) -}}
{{- end -}}

{{/* Labels that select this release's pods. */}}
{{- define "dag-installer.selectorLabels" -}}
app.kubernetes.io/name: dag-installer
app.kubernetes.io/instance: {{ .Release.Name | quote }}
{{- end -}}

{{/*
The installer pod: the image runs with ACTION set; the DAG, plugin and mounted-scripts folders are
mounted at the paths of this package's installer convention. Call with (dict "root" . "action" ... "restartPolicy" ...).
*/}}
{{- define "dag-installer.podSpec" -}}
{{- $v := .root.Values -}}
automountServiceAccountToken: false
securityContext:
  runAsNonRoot: true
  runAsUser: {{ $v.podSecurityContext.runAsUser }}
  runAsGroup: {{ $v.podSecurityContext.runAsGroup }}
  fsGroup: {{ $v.podSecurityContext.fsGroup }}
  seccompProfile:
    type: RuntimeDefault
{{- with $v.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
restartPolicy: {{ .restartPolicy }}
containers:
  - name: installer
    image: {{ $v.image | quote }}
    imagePullPolicy: {{ $v.imagePullPolicy }}
    env:
      - name: ACTION
        value: {{ .action | quote }}
      - name: SERVICES_NAMESPACE
        value: {{ .root.Release.Namespace | quote }}
      {{- range $name, $value := $v.env }}
      - name: {{ $name }}
        value: {{ $value | quote }}
      {{- end }}
    securityContext:
      allowPrivilegeEscalation: false
      capabilities:
        drop: ["ALL"]
    {{- with $v.resources }}
    resources:
      {{- toYaml . | nindent 6 }}
    {{- end }}
    {{- if ne .action "prefetch" }}
    volumeMounts:
      - name: dags
        mountPath: /kaapana/mounted/workflows/dags
      - name: plugins
        mountPath: /kaapana/mounted/workflows/plugins
      {{- if $v.mountedScriptsClaimName }}
      - name: mounted-scripts
        mountPath: /kaapana/mounted/workflows/mounted_scripts
      {{- end }}
    {{- end }}
{{- if ne .action "prefetch" }}
volumes:
  - name: dags
    persistentVolumeClaim:
      claimName: {{ $v.dagsClaimName | quote }}
  - name: plugins
    {{- if $v.pluginsClaimName }}
    persistentVolumeClaim:
      claimName: {{ $v.pluginsClaimName | quote }}
    {{- else }}
    emptyDir: {}
    {{- end }}
  {{- if $v.mountedScriptsClaimName }}
  - name: mounted-scripts
    persistentVolumeClaim:
      claimName: {{ $v.mountedScriptsClaimName | quote }}
  {{- end }}
{{- end }}
{{- end -}}
