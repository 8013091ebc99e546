// Original file: proto/aigateway/v1/gateway.proto


export interface ListModelsRequest {
}

export interface ListModelsRequest__Output {
}
