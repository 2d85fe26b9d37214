/// The OpenAPI 3.1 description served at `/api/openapi.yaml` (the file `openapi.yaml` at the top of the
/// repository is the same text; a test keeps them equal).
enum OpenAPIDocument {
    static let text = """
        openapi: 3.1.0
        info:
          title: run-agent bus
          version: 0.1.0
        paths: {}

        """
}
