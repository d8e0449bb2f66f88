from django.urls import path

from hierarchy import views

app_name = "hierarchy"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("lookup/", views.code_lookup, name="code_lookup"),
    path("codes/", views.code_list, name="code_list"),
    path(
        "standard-work-orders/",
        views.standard_work_order_list,
        name="standard_work_order_list",
    ),
    path("import/", views.catalogue_import_view, name="catalogue_import"),
    path("export/", views.catalogue_export_view, name="catalogue_export"),
    path("picker/search/", views.picker_search, name="picker_search"),
    path("picker/browse/", views.picker_browse_view, name="picker_browse"),
    path("<slug:level>/new/", views.item_create, name="item_create"),
    path("<slug:level>/<int:pk>/", views.item_detail, name="item_detail"),
    path("<slug:level>/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("<slug:level>/<int:pk>/active/", views.item_set_active, name="item_set_active"),
    path("<slug:level>/<int:pk>/children/", views.tree_children, name="tree_children"),
]
