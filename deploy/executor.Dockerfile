# The lockstep executor image for the Kubernetes backend (backends:
# kubernetes: image:). Build from the repository's root:
#
#   docker build -f deploy/executor.Dockerfile -t REGISTRY/lockstep:TAG .
#   docker build -f deploy/executor.Dockerfile --build-arg BASE=REGISTRY/my-steps:1 -t REGISTRY/lockstep-steps:1 .
#
# A step runs in the pod beside the executor, so the runtime stage must hold
# what the steps run (python and their packages, say): set BASE to the image
# your steps use. The binary is static (no cgo), so any Linux base works.
# The pod runs as uid 65532 with a read-only root filesystem; /tmp and the
# work folder are writable volumes the backend mounts.
ARG BASE=debian:bookworm-slim

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -o /out/lockstep ./cmd/lockstep

FROM ${BASE}
COPY --from=build /out/lockstep /usr/local/bin/lockstep
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/lockstep"]
