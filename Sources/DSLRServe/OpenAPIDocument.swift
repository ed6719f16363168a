// The service's API as an OpenAPI 3.1 document, served at /openapi.json. Written by hand to
// match Service.swift's routes; ServeTests checks that every route it serves is listed.
let openAPIDocument = #"""
{
  "openapi": "3.1.0",
  "info": {
    "title": "DSLRKit enhance service",
    "version": "1",
    "description": "Send a phone photo, get it back enhanced with its metadata kept. Errors are JSON {\"error\": {\"kind\", \"message\"}} with a one-line message."
  },
  "paths": {
    "/v1/enhance": {
      "post": {
        "summary": "Enhance one photo",
        "parameters": [
          {"name": "model", "in": "query", "schema": {"type": "string"}, "description": "A served model's name (GET /v1/models); default: the first served."},
          {"name": "strength", "in": "query", "schema": {"type": "number", "minimum": 0, "maximum": 1, "default": 1}, "description": "0 keeps the photo, 1 is the model's result."},
          {"name": "format", "in": "query", "schema": {"type": "string", "enum": ["jpeg", "jpg", "png", "tiff", "tif", "webp", "heic"]}, "description": "Output format; default: the upload's."},
          {"name": "quality", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 95}, "description": "JPEG, WebP and HEIC quality."}
        ],
        "requestBody": {
          "required": true,
          "description": "The photo file itself as the body, or a multipart form whose part 'photo' (else its one file) is the photo and whose other fields are the parameters above.",
          "content": {
            "image/*": {"schema": {"type": "string", "format": "binary"}},
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
            "multipart/form-data": {"schema": {"type": "object", "required": ["photo"], "properties": {
              "photo": {"type": "string", "format": "binary"}, "model": {"type": "string"}, "strength": {"type": "number"},
              "format": {"type": "string"}, "quality": {"type": "integer"}}}}
          }
        },
        "responses": {
          "200": {
            "description": "The enhanced photo; X-DSLR-Model and X-DSLR-Seconds say which model and how long.",
            "content": {"image/*": {"schema": {"type": "string", "format": "binary"}}}
          },
          "400": {"$ref": "#/components/responses/Error"},
          "404": {"$ref": "#/components/responses/Error"},
          "413": {"$ref": "#/components/responses/Error"},
          "422": {"$ref": "#/components/responses/Error"},
          "503": {"$ref": "#/components/responses/Busy"},
          "504": {"$ref": "#/components/responses/Error"}
        }
      }
    },
    "/v1/models": {
      "get": {
        "summary": "The models this service serves",
        "responses": {"200": {"description": "Names, architectures and summaries; the default.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Models"}}}}}
      }
    },
    "/healthz": {"get": {"summary": "The process is up", "responses": {"200": {"description": "ok", "content": {"text/plain": {}}}}}},
    "/readyz": {"get": {"summary": "The served models are loaded", "responses": {"200": {"description": "ready", "content": {"text/plain": {}}}, "503": {"$ref": "#/components/responses/Busy"}}}},
    "/metrics": {"get": {"summary": "Prometheus metrics", "responses": {"200": {"description": "Text exposition format 0.0.4", "content": {"text/plain": {}}}}}},
    "/openapi.json": {"get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {}}}}}},
    "/": {"get": {"summary": "The web page", "responses": {"200": {"description": "HTML", "content": {"text/html": {}}}}}}
  },
  "components": {
    "schemas": {
      "Error": {
        "type": "object", "required": ["error"],
        "properties": {"error": {"type": "object", "required": ["kind", "message"], "properties": {"kind": {"type": "string"}, "message": {"type": "string"}}}}
      },
      "Models": {
        "type": "object", "required": ["models", "default"],
        "properties": {
          "default": {"type": "string"},
          "models": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}, "architecture": {"type": "string"}, "summary": {"type": "string"}}}}
        }
      }
    },
    "responses": {
      "Error": {"description": "Refused, with the reason", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "Busy": {
        "description": "Full queue or still loading; retry after the given seconds",
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      }
    }
  }
}
"""#
