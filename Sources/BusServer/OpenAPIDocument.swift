/// The OpenAPI 3.1 description served at `/api/openapi.yaml`; `OpenAPITests` checks that every route the server
/// registers is in it and that a live server's answers (status codes, JSON bodies) match its response schemas.
enum OpenAPIDocument {
    static let text = """
        openapi: 3.1.0
        info:
          title: run-agent bus
          version: 0.1.0
          description: The HTTP API of `run-agent bus serve` (CONTRACT section 7).
        components:
          securitySchemes:
            bearer: {type: http, scheme: bearer}
            apiKey: {type: apiKey, in: header, name: X-API-Key}
          parameters:
            since: {name: since, in: query, schema: {type: string}, description: messages after this msg_id}
            after: {name: after, in: query, schema: {type: string}, description: alias of since}
            limit: {name: limit, in: query, schema: {type: integer, minimum: 0}}
            type: {name: type, in: query, schema: {type: string}, description: repeatable or comma-separated}
            project_id: {name: project_id, in: query, schema: {type: string}}
            task_id: {name: task_id, in: query, schema: {type: string}}
            project: {name: project, in: path, required: true, schema: {type: string}}
            task: {name: task, in: path, required: true, schema: {type: string}}
            lastEventID: {name: Last-Event-ID, in: header, schema: {type: string}}
          schemas:
            Parent:
              type: object
              additionalProperties: false
              required: [msg_id]
              properties: {msg_id: {type: string}, kind: {type: string}, meta: {type: object, additionalProperties: {type: string}}}
            Link:
              type: object
              additionalProperties: false
              required: [url]
              properties: {url: {type: string}, label: {type: string}, kind: {type: string}}
            Message:
              type: object
              additionalProperties: false
              required: [msg_id, timestamp, type, project_id, body]
              properties:
                msg_id: {type: string}
                timestamp: {type: string, format: date-time}
                timestamp_inferred: {type: boolean}
                type: {type: string}
                project_id: {type: string}
                task_id: {type: string}
                run_id: {type: string}
                issue_id: {type: string}
                parents: {type: array, items: {$ref: '#/components/schemas/Parent'}}
                links: {type: array, items: {$ref: '#/components/schemas/Link'}}
                meta: {type: object, additionalProperties: {type: string}}
                body: {type: string}
                revised: {type: boolean, description: 'only on an SSE `update` event'}
            PostRequest:
              type: object
              additionalProperties: false
              required: [body]
              properties:
                type: {type: string}
                body: {type: string}
                project_id: {type: string}
                task_id: {type: string}
                run_id: {type: string}
                issue_id: {type: string}
                parents: {type: array, items: {oneOf: [{type: string}, {$ref: '#/components/schemas/Parent'}]}}
                links: {type: array, items: {$ref: '#/components/schemas/Link'}}
                meta: {type: object, additionalProperties: {type: string}}
            Posted:
              type: object
              additionalProperties: false
              required: [msg_id, timestamp]
              properties: {msg_id: {type: string}, timestamp: {type: string, format: date-time}}
            MessageList:
              type: object
              additionalProperties: false
              required: [messages]
              properties: {messages: {type: array, items: {$ref: '#/components/schemas/Message'}}}
            Error:
              type: object
              additionalProperties: false
              required: [error]
              properties:
                error:
                  type: object
                  additionalProperties: false
                  required: [code, message]
                  properties:
                    code:
                      type: string
                      enum: [BAD_REQUEST, NOT_FOUND, FORBIDDEN, METHOD_NOT_ALLOWED, PAYLOAD_TOO_LARGE, UNAUTHORIZED,
                        SERVICE_UNAVAILABLE, INTERNAL]
                    message: {type: string}
                    exit_code: {type: integer, description: the CLI's exit code for the same failure}
            Health:
              type: object
              additionalProperties: false
              required: [status]
              properties: {status: {type: string, enum: [ok]}}
          responses:
            List:
              description: messages, oldest first
              content: {application/json: {schema: {$ref: '#/components/schemas/MessageList'}}}
            Created:
              description: durable on the bus
              content: {application/json: {schema: {$ref: '#/components/schemas/Posted'}}}
            Stream:
              description: 'SSE: id/event/data; events message, update, reset, heartbeat'
              content: {text/event-stream: {schema: {type: string}}}
            Error:
              description: 400, 401, 403, 404, 405, 413, 503 (with Retry-After), 500
              content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}
        security: [{bearer: []}, {apiKey: []}]
        paths:
          /healthz:
            get:
              security: []
              responses:
                '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Health'}}}}
          /metrics:
            get: {responses: {'200': {description: Prometheus text format}}}
          /api/openapi.yaml:
            get: {responses: {'200': {description: this document}}}
          /api/bus:
            get:
              parameters: [$ref: '#/components/parameters/since', $ref: '#/components/parameters/limit',
                $ref: '#/components/parameters/type', $ref: '#/components/parameters/project_id',
                $ref: '#/components/parameters/task_id']
              responses: {'200': {$ref: '#/components/responses/List'}, '400': {$ref: '#/components/responses/Error'},
                '404': {$ref: '#/components/responses/Error'}, default: {$ref: '#/components/responses/Error'}}
            post:
              requestBody: {required: true, content: {application/json: {schema: {$ref: '#/components/schemas/PostRequest'}}}}
              responses: {'201': {$ref: '#/components/responses/Created'}, '400': {$ref: '#/components/responses/Error'},
                '413': {$ref: '#/components/responses/Error'}, '503': {$ref: '#/components/responses/Error'},
                default: {$ref: '#/components/responses/Error'}}
          /api/bus/stream:
            get:
              parameters: [$ref: '#/components/parameters/lastEventID', $ref: '#/components/parameters/since',
                $ref: '#/components/parameters/limit', $ref: '#/components/parameters/type']
              responses: {'200': {$ref: '#/components/responses/Stream'}, '400': {$ref: '#/components/responses/Error'},
                '404': {$ref: '#/components/responses/Error'}, default: {$ref: '#/components/responses/Error'}}
          /api/v1/messages:
            get:
              parameters: [$ref: '#/components/parameters/after', $ref: '#/components/parameters/since',
                $ref: '#/components/parameters/limit', $ref: '#/components/parameters/project_id',
                $ref: '#/components/parameters/task_id']
              responses: {'200': {$ref: '#/components/responses/List'}, '400': {$ref: '#/components/responses/Error'},
                '404': {$ref: '#/components/responses/Error'}, default: {$ref: '#/components/responses/Error'}}
            post:
              description: the type defaults to USER
              requestBody: {required: true, content: {application/json: {schema: {$ref: '#/components/schemas/PostRequest'}}}}
              responses: {'201': {$ref: '#/components/responses/Created'}, '400': {$ref: '#/components/responses/Error'},
                '413': {$ref: '#/components/responses/Error'}, '503': {$ref: '#/components/responses/Error'},
                default: {$ref: '#/components/responses/Error'}}
          /api/v1/messages/stream:
            get:
              responses: {'200': {$ref: '#/components/responses/Stream'}, '400': {$ref: '#/components/responses/Error'},
                '404': {$ref: '#/components/responses/Error'}, default: {$ref: '#/components/responses/Error'}}
          /api/projects/{project}/messages:
            parameters: [$ref: '#/components/parameters/project']
            get: {responses: {'200': {$ref: '#/components/responses/List'}, '400': {$ref: '#/components/responses/Error'},
                '404': {$ref: '#/components/responses/Error'}, default: {$ref: '#/components/responses/Error'}}}
            post:
              requestBody: {required: true, content: {application/json: {schema: {$ref: '#/components/schemas/PostRequest'}}}}
              responses: {'201': {$ref: '#/components/responses/Created'}, '400': {$ref: '#/components/responses/Error'},
                '413': {$ref: '#/components/responses/Error'}, '503': {$ref: '#/components/responses/Error'},
                default: {$ref: '#/components/responses/Error'}}
          /api/projects/{project}/messages/stream:
            parameters: [$ref: '#/components/parameters/project']
            get:
              responses: {'200': {$ref: '#/components/responses/Stream'}, '400': {$ref: '#/components/responses/Error'},
                '404': {$ref: '#/components/responses/Error'}, default: {$ref: '#/components/responses/Error'}}
          /api/projects/{project}/tasks/{task}/messages:
            parameters: [$ref: '#/components/parameters/project', $ref: '#/components/parameters/task']
            get: {responses: {'200': {$ref: '#/components/responses/List'}, '400': {$ref: '#/components/responses/Error'},
                '404': {$ref: '#/components/responses/Error'}, default: {$ref: '#/components/responses/Error'}}}
            post:
              requestBody: {required: true, content: {application/json: {schema: {$ref: '#/components/schemas/PostRequest'}}}}
              responses: {'201': {$ref: '#/components/responses/Created'}, '400': {$ref: '#/components/responses/Error'},
                '413': {$ref: '#/components/responses/Error'}, '503': {$ref: '#/components/responses/Error'},
                default: {$ref: '#/components/responses/Error'}}
          /api/projects/{project}/tasks/{task}/messages/stream:
            parameters: [$ref: '#/components/parameters/project', $ref: '#/components/parameters/task']
            get:
              responses: {'200': {$ref: '#/components/responses/Stream'}, '400': {$ref: '#/components/responses/Error'},
                '404': {$ref: '#/components/responses/Error'}, default: {$ref: '#/components/responses/Error'}}

        """
}
